"""The request's caller is bound once per request and read by the services."""

from __future__ import annotations

import asyncio

from gatehouse.services import caller
from gatehouse.services.caller import ClientInfo


def test_outside_any_request_the_caller_is_unknown() -> None:
    assert caller.current() == ClientInfo()


def test_bound_sets_the_caller_inside_the_block_and_restores_it_after() -> None:
    operator = ClientInfo(user_agent="gatehouse-cli", request_id="cli")
    with caller.bound(operator):
        assert caller.current() is operator
    assert caller.current() == ClientInfo()


def test_concurrent_requests_each_see_their_own_caller() -> None:
    async def request(ip: str) -> str | None:
        caller.bind(ClientInfo(ip=ip))
        await asyncio.sleep(0)  # let the other request bind its caller in between
        return caller.current().ip

    async def both() -> list[str | None]:
        return list(await asyncio.gather(request("198.51.100.1"), request("198.51.100.2")))

    assert asyncio.run(both()) == ["198.51.100.1", "198.51.100.2"]
    assert caller.current() == ClientInfo()
