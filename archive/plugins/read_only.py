"""The archive is served read-only: only GET and HEAD reach Datasette.

Datasette 0.65 has no write API, and the database files are opened read-only;
this also turns any other method into a plain 405 rather than an error page.
"""

from datasette import hookimpl

ALLOWED = {"GET", "HEAD"}


@hookimpl
def asgi_wrapper():
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope["type"] == "http" and scope["method"] not in ALLOWED:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 405,
                        "headers": [(b"content-type", b"text/plain"), (b"allow", b"GET, HEAD")],
                    }
                )
                await send({"type": "http.response.body", "body": b"This archive is read-only.\n"})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
