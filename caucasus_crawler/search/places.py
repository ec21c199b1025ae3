"""The names a place goes by in the region's languages and politics, with which the
archive's editable ``place_variants`` table starts: a search for one finds the others
(switch it off with "as written"). Edit the table to add or remove names; these are
only its first rows."""

PLACES = {
    "Nagorno-Karabakh": (
        "Karabakh",
        "Artsakh",
        "Qarabağ",
        "Dağlıq Qarabağ",
        "Нагорный Карабах",
        "Карабах",
        "Арцах",
        "Արցախ",
        "Լեռնային Ղարաբաղ",
        "Ղարաբաղ",
        "მთიანი ყარაბაღი",
        "ყარაბაღი",
    ),
    "Stepanakert": ("Khankendi", "Xankəndi", "Степанакерт", "Ханкенди", "Ստեփանակերտ"),
    "Shusha": ("Shushi", "Şuşa", "Шуша", "Шуши", "Շուշի"),
    "Tskhinvali": ("Tskhinval", "Цхинвали", "Цхинвал", "ცხინვალი", "Sxinvali"),
    "South Ossetia": (
        "Samachablo",
        "Tskhinvali Region",
        "Южная Осетия",
        "სამხრეთ ოსეთი",
        "სამაჩაბლო",
        "Cənubi Osetiya",
    ),
    "Abkhazia": ("Apsny", "Абхазия", "Апсны", "აფხაზეთი", "Abxaziya", "Աբխազիա"),
    "Sukhumi": ("Sukhum", "Sokhumi", "Сухуми", "Сухум", "სოხუმი", "Aqwa"),
    "Dagestan": ("Daghestan", "Дагестан", "Dağıstan", "დაღესტანი", "Դաղստան"),
    "Chechnya": ("Ichkeria", "Чечня", "Ичкерия", "Çeçenistan", "ჩეჩნეთი", "Չեչնիա"),
    "Nakhchivan": ("Naxçıvan", "Нахичевань", "Նախիջևան", "ნახჭევანი"),
    "Ganja": ("Gəncə", "Гянджа", "Գանձակ"),
    "Yerevan": ("İrəvan", "Erivan", "Эривань"),
    "Tbilisi": ("Tiflis", "Тифлис", "Թիֆլիս"),
    "Gyumri": ("Leninakan", "Гюмри", "Գյումրի"),
}
