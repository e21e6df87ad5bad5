"""Middleware that tags each request with an id used by the change log."""

from rapport.core.context import new_request_id, reset_request_id


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = new_request_id()
        try:
            response = self.get_response(request)
        finally:
            reset_request_id(token)
        return response
