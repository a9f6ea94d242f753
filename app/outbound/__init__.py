"""Every outgoing HTTP request (watch feeds, webhooks) goes through here and nowhere else.

The rules of SPEC.md's "Outgoing requests": only http and https URLs with a host and no
credentials; every address connected to must be public unless the policy allows private ones
(`ALLOW_PRIVATE_URLS`), checked on the connection itself, also after a redirect; at most five
redirects; ten seconds; bodies over 5 MB refused. No Flask here: the scheduler's jobs use it.

    policy = OutboundPolicy(allow_private=settings.allow_private_urls)
    with OutboundClient(policy) as client:
        result = client.get(url, headers={"If-None-Match": etag})
"""

from app.outbound.addresses import Resolver, non_public_reason, system_resolve
from app.outbound.client import FetchResult, OutboundClient, fetch, post
from app.outbound.errors import FetchFailed, OutboundError, RefusedURL, TooLarge
from app.outbound.policy import OutboundPolicy

__all__ = [
    "FetchFailed",
    "FetchResult",
    "OutboundClient",
    "OutboundError",
    "OutboundPolicy",
    "RefusedURL",
    "Resolver",
    "TooLarge",
    "fetch",
    "non_public_reason",
    "post",
    "system_resolve",
]
