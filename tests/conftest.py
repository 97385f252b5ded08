"""Shared fixtures.

``api`` calls the real handlers through template.yaml's routes and real API
Gateway events; ``embedded_aws`` is moto in the test process (one per xdist worker,
one call at a time: ``InProcessAws``) for the whole session. Every test whose
fixtures include ``embedded_aws`` (directly or through ``api``) starts from an empty
table, empty buckets and an empty mail outbox; tests that use neither never start
moto. Tests about the moto server itself, or that need a store another process
reaches, use ``moto_server`` (the local run's kind: a separate process).

The functions' local environment (TABLE_NAME, JWT_SECRET, OUTBOX_DIR, fake AWS
credentials...) is applied in ``pytest_configure``, before collection, because
the gatehouse package reads its settings when it is imported.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from gatehouse.security.signing_key import SecretsManagerSource

from gatehouse.security import passwords
from gatehouse_local import persistence, streams
from gatehouse_local.embedded_aws import EmbeddedAws, MotoAws
from gatehouse_local.environment import local_bucket_names
from gatehouse_local.iam import Statement, denied, function_statements, local_secret_name, needed_permissions
from gatehouse_local.persistence import StoredResources
from gatehouse_local.template import FUNCTION_TYPE, Route, Template, load_template, resources_of_type, routes
from gatehouse_local.testing import (
    TEST_JWT_SECRET,
    ApiClient,
    AwsCallRecorder,
    clear_directory,
    embedded_aws_session,
    harness_environment,
    patched_environ,
)
from tests.seeding import Seeded, SeedOnce

_session_environment = pytest.StashKey[ExitStack]()


# New passwords hash with a cheap argon2id profile in the test process (as Django's tests use a
# fast hasher): ~1 ms instead of ~25 ms per hash and per verify, a quarter of an API test's time.
# tests/unit/test_passwords.py checks the OWASP profile itself; the local run always uses it.
TEST_HASH_PROFILE = passwords.Argon2Profile(memory_cost=64, time_cost=1, parallelism=1)


def pytest_configure(config: pytest.Config) -> None:
    stack = ExitStack()
    work_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="gatehouse-tests-")))
    stack.enter_context(patched_environ(harness_environment(load_template(), work_dir)))
    config.stash[_session_environment] = stack
    passwords.use_profile(TEST_HASH_PROFILE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Files marked `heavy` first, then the others by how many tests they hold (each file's tests
    stay together, in order). `make test` deals whole files to the workers in this order
    (`--dist loadfile --no-loadscope-reorder`), so the long files start early and the workers
    finish together, rather than one worker taking a long file dealt last."""
    files: dict[str, list[pytest.Item]] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)

    def weight(tests: list[pytest.Item]) -> tuple[bool, int]:
        return (tests[0].get_closest_marker("heavy") is None, -len(tests))

    items[:] = [item for tests in sorted(files.values(), key=weight) for item in tests]


def pytest_unconfigure(config: pytest.Config) -> None:
    stack = config.stash.get(_session_environment, None)
    if stack is not None:
        stack.close()


@pytest.fixture(scope="session")
def sam_template() -> Template:
    return load_template()


@pytest.fixture(scope="session")
def api_routes(sam_template: Template) -> list[Route]:
    return routes(sam_template)


@pytest.fixture(scope="session")
def embedded_aws(tmp_path_factory: pytest.TempPathFactory, sam_template: Template) -> Iterator[MotoAws]:
    work_dir = tmp_path_factory.mktemp("embedded-aws")
    with embedded_aws_session(work_dir, sam_template, os.environ["TABLE_NAME"], in_process=True) as aws:
        yield aws


@pytest.fixture(scope="session")
def _moto_server_process(
    tmp_path_factory: pytest.TempPathFactory, sam_template: Template
) -> Iterator[EmbeddedAws]:
    work_dir = tmp_path_factory.mktemp("moto-server")
    with EmbeddedAws(log_path=work_dir / "moto_server.log") as server:
        server.create_resources(sam_template, os.environ["TABLE_NAME"], local_bucket_names(sam_template))
        yield server


@pytest.fixture
def moto_server(_moto_server_process: EmbeddedAws) -> EmbeddedAws:
    """A moto server (a separate process, as the local run starts), holding the template's empty
    table and buckets; clients reach it only through its endpoint."""
    _moto_server_process.reset()
    return _moto_server_process


@pytest.fixture(params=["in-process", "server"])
def any_moto(request: pytest.FixtureRequest) -> MotoAws:
    """Each kind of moto in turn: the tests' own (in this process) and the local run's (a server)."""
    if request.param == "server":
        server: EmbeddedAws = request.getfixturevalue("moto_server")
        return server
    aws: MotoAws = request.getfixturevalue("embedded_aws")
    _start_fresh(aws)
    return aws


@pytest.fixture(autouse=True)
def _fresh_aws_state(request: pytest.FixtureRequest) -> None:
    if "embedded_aws" not in request.fixturenames:
        return
    _start_fresh(request.getfixturevalue("embedded_aws"))


def _start_fresh(aws: MotoAws) -> None:
    aws.reset()
    pump = streams.active()
    if pump is not None:
        pump.forget()  # the table, and so its stream, is new
    clear_directory(Path(os.environ["OUTBOX_DIR"]))


@pytest.fixture
def outbox_dir(embedded_aws: MotoAws) -> Path:
    return Path(os.environ["OUTBOX_DIR"])


@pytest.fixture(scope="session")
def function_policies(sam_template: Template) -> dict[str, list[Statement]]:
    return {
        function_id: function_statements(sam_template, function_id)
        for function_id in resources_of_type(sam_template, FUNCTION_TYPE)
    }


@pytest.fixture
def api(
    embedded_aws: MotoAws, api_routes: list[Route], function_policies: dict[str, list[Statement]]
) -> Iterator[ApiClient]:
    """The API, with every AWS call a function makes during the test checked against the IAM
    policy template.yaml gives that function: least privilege, proven by the whole suite."""
    recorder = AwsCallRecorder()
    with recorder.installed():
        yield ApiClient(api_routes)
    refused = sorted(
        {
            f"{call.function_id}: {permission.action} on {permission.resource}"
            for call in recorder.calls
            for permission in denied(
                function_policies[call.function_id],
                needed_permissions(call.service, call.operation, call.params),
            )
        }
    )
    if refused:
        pytest.fail("template.yaml does not allow what the code did:\n" + "\n".join(refused))


@pytest.fixture(scope="module")
def _module_seeds() -> dict[str, tuple[Any, dict[str, Any]]]:
    return {}


@pytest.fixture
def seeded_once(
    api: ApiClient,
    embedded_aws: MotoAws,
    sam_template: Template,
    _module_seeds: dict[str, tuple[Any, dict[str, Any]]],
) -> SeedOnce[Any]:
    """`seeded_once(seed)`: what `seed(api)` returns, seeded through the API by the module's first
    test that asks; later tests of the module get the same store back (persistence's snapshot
    loaded into their fresh table and buckets) instead of seeding again."""
    resources = StoredResources(os.environ["TABLE_NAME"], tuple(local_bucket_names(sam_template).values()))

    def seeded(seed: Callable[[ApiClient], Seeded]) -> Seeded:
        if seed.__qualname__ in _module_seeds:
            value, snapshot = _module_seeds[seed.__qualname__]
            assert persistence.load(embedded_aws, resources, snapshot) == []
            return value  # type: ignore[no-any-return]
        value = seed(api)
        _module_seeds[seed.__qualname__] = (value, persistence.dump(embedded_aws, resources))
        return value

    return seeded


@pytest.fixture
def unthrottled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lift the A/B/C rate limit (60 a minute) for a test that sends more on purpose."""
    from gatehouse.web import throttle  # imported late: settings come from pytest_configure

    monkeypatch.setattr(throttle, "_limit", 0)


@pytest.fixture
def deployed_signing_key(embedded_aws: MotoAws, monkeypatch: pytest.MonkeyPatch) -> SecretsManagerSource:
    """The functions read their keys from the template's JwtSigningSecret in Secrets Manager (as
    deployed), holding the harness's plain key, until the test ends."""
    from gatehouse.security import signing_key

    client = embedded_aws.client("secretsmanager")
    name = local_secret_name("JwtSigningSecret")
    try:
        arn = client.create_secret(Name=name, SecretString=TEST_JWT_SECRET)["ARN"]
    except client.exceptions.ResourceExistsException:
        arn = client.put_secret_value(SecretId=name, SecretString=TEST_JWT_SECRET)["ARN"]
    source = signing_key.SecretsManagerSource(arn, "us-east-1")
    monkeypatch.setattr(signing_key, "_cache", signing_key._cache)  # restored afterwards
    signing_key.use_source(source)
    return source


@pytest.fixture
def pyjwt_decodes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every token PyJWT decodes during the test, in order; the container's verified-token
    cache starts and ends empty."""
    import jwt

    from gatehouse.security import tokens

    calls: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: object, **kwargs: object) -> object:
        calls.append(token)
        return decode(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", counted)
    tokens.verified_tokens.clear()
    yield calls
    tokens.verified_tokens.clear()
