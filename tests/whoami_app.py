"""The real app plus one test-only page that shows what the app sees of the client."""

from flask import jsonify, request

from ipr_apps import create_app

app = create_app()


@app.get("/_test/whoami")
def whoami():
    """After ProxyFix: the client's address, the scheme and the host the app believes in."""
    return jsonify(remote_addr=request.remote_addr, scheme=request.scheme, host=request.host)
