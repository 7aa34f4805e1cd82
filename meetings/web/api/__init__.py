"""The JSON API (``/api/v1``): bearer-token authentication, RFC 9457 problem details on errors."""
