# mypy: disable-error-code="index,arg-type,dict-item,attr-defined"
# (CRUD results are Optional in the SDK types; these tests assert on them directly.)
"""The Supabase Project resource against the in-process emulator: create (waiting, adopting after an
ambiguous failure, cleaning up after a failed one), update in place, replace, read, delete, check, and the
credentials rules."""

from __future__ import annotations

import hashlib

import dill
import httpx
import pytest

from emulator.testing import RunningEmulator
from providers.base import UNKNOWN, CredentialsMissingError, WaitTimeoutError
from providers.http import ApiError
from providers.supabase import resources as supabase_resources
from providers.supabase.resources import ProjectFailedError, ProjectProvider
from tests.providers.supabase.support import (
    ORG,
    PASSWORD,
    TOKEN,
    EmulatedTime,
    checked,
    client,
    configure_request,
    make_provider,
    project_props,
)


def _ops(emulator: RunningEmulator, operation: str) -> list[dict]:
    return [r for r in emulator.requests("supabase") if r["operation"] == operation]


def test_create_waits_through_coming_up_and_returns_connection_outputs(emulator: RunningEmulator) -> None:
    time = EmulatedTime(emulator)
    provider = make_provider(ProjectProvider, emulator, time)

    result = provider.create(checked(provider, project_props(instance_size="micro")))

    ref = result.id
    assert ref is not None and len(ref) == 20 and ref.isalpha() and ref.islower()
    statuses = [r["response"]["status"] for r in _ops(emulator, "v1-get-project")]
    assert statuses[0] == "COMING_UP" and statuses[-1] == "ACTIVE_HEALTHY"
    assert time.sleeps, "the provider must back off between polls, not spin"
    outs = result.outs
    project = emulator.state()["supabase"]["projects"][ref]
    assert outs["status"] == "ACTIVE_HEALTHY" and outs["region"] == "ca-central-1"
    assert outs["api_url"] == f"https://{ref}.supabase.co"
    assert outs["database_host"] == project["database"]["host"]
    assert (
        outs["connection_uri"]
        == f"postgresql://postgres:{PASSWORD}@{project['database']['host']}:5432/postgres"
    )
    # The pooled DSN comes from the pooler endpoint, with the password put in its placeholder.
    pooler = _ops(emulator, "v1-get-pooler-config")[-1]["response"][0]
    assert outs["pooler_host"] == pooler["db_host"]
    assert outs["pooled_connection_uri"] == pooler["connection_string"].replace("[YOUR-PASSWORD]", PASSWORD)
    # Keys are read with reveal=true, so they are the real values, not the masked ones.
    keys_request = _ops(emulator, "v1-get-project-api-keys")[-1]
    assert keys_request["query"] == {"reveal": "true"}
    assert "····" not in outs["service_role_key"] and outs["anon_key"].count(".") == 2
    assert outs["database_password"] == PASSWORD and outs["instance_size"] == "micro"
    assert len(_ops(emulator, "v1-create-a-project")) == 1


def test_password_in_connection_strings_is_url_encoded(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    outs = provider.create(checked(provider, project_props(database_password="p@ss:w/rd#1"))).outs
    assert "p%40ss%3Aw%2Frd%231@" in outs["connection_uri"]
    assert "p%40ss%3Aw%2Frd%231@" in outs["pooled_connection_uri"]


def test_create_timing_out_on_the_client_after_the_server_made_it_adopts_the_project(
    emulator: RunningEmulator,
) -> None:
    # The server creates the project, then answers 1.5 s later; the client gave up after 0.4 s.
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="after", latency_ms=1500)
    provider = make_provider(ProjectProvider, emulator, timeout=0.4)

    result = provider.create(checked(provider, project_props(name="adopt-me")))

    projects = emulator.state()["supabase"]["projects"]
    assert list(projects) == [result.id], "exactly one project: adopted, not created twice"
    assert len(_ops(emulator, "v1-create-a-project")) == 1
    assert result.outs["status"] == "ACTIVE_HEALTHY"


def test_create_answered_with_5xx_after_the_server_made_it_adopts_the_project(
    emulator: RunningEmulator,
) -> None:
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="after", status=502)
    provider = make_provider(ProjectProvider, emulator)

    result = provider.create(checked(provider, project_props(name="adopt-5xx")))

    assert list(emulator.state()["supabase"]["projects"]) == [result.id]
    assert len(_ops(emulator, "v1-create-a-project")) == 1


def test_ambiguous_create_never_adopts_a_same_named_project_that_existed_before(
    emulator: RunningEmulator,
) -> None:
    api = client(emulator)
    older = api.create_project(name="twin", organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1")
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="after", status=500)
    provider = make_provider(ProjectProvider, emulator)

    result = provider.create(checked(provider, project_props(name="twin")))

    assert result.id != older["ref"]
    assert len(emulator.state()["supabase"]["projects"]) == 2


def test_ambiguous_create_that_made_nothing_is_sent_again_only_after_a_lookup(
    emulator: RunningEmulator,
) -> None:
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="before", status=503)
    provider = make_provider(ProjectProvider, emulator)

    result = provider.create(checked(provider, project_props()))

    operations = [r["operation"] for r in emulator.requests("supabase")]
    first, second = [i for i, op in enumerate(operations) if op == "v1-create-a-project"]
    assert "v1-list-all-projects" in operations[first + 1 : second]
    assert list(emulator.state()["supabase"]["projects"]) == [result.id]


def test_ambiguous_create_failing_every_time_says_nothing_was_made(emulator: RunningEmulator) -> None:
    emulator.inject(vendor="supabase", operation="v1-create-a-project", when="before", status=500, count=10)
    provider = make_provider(ProjectProvider, emulator)

    with pytest.raises(ApiError, match="nothing was made"):
        provider.create(checked(provider, project_props()))

    assert len(_ops(emulator, "v1-create-a-project")) == 4
    assert emulator.state()["supabase"]["projects"] == {}


def test_create_fails_fast_on_init_failed_and_removes_the_project(emulator: RunningEmulator) -> None:
    emulator.inject(vendor="supabase", operation="v1-create-a-project", effect="project_init_failed")
    provider = make_provider(ProjectProvider, emulator)

    with pytest.raises(ProjectFailedError, match="INIT_FAILED"):
        provider.create(checked(provider, project_props()))

    assert len(_ops(emulator, "v1-delete-a-project")) == 1
    # GOING_DOWN, then gone on the next look.
    assert client(emulator).list_projects() == [] or all(
        p["status"] == "GOING_DOWN" for p in client(emulator).list_projects()
    )


def test_create_times_out_with_the_ref_named_when_the_project_never_comes_up(
    emulator: RunningEmulator,
) -> None:
    emulator.app.clock.time_scale = 1.0
    emulator.app.settings.vendor_options["supabase"] = {"project_ready_seconds": 3600}
    provider = make_provider(ProjectProvider, emulator)

    with pytest.raises(WaitTimeoutError) as caught:
        provider.create(checked(provider, project_props(create_timeout_seconds=60)))

    ref = next(iter(emulator.state()["supabase"]["projects"]))
    text = str(caught.value) + " ".join(getattr(caught.value, "__notes__", []))
    assert "COMING_UP" in text and ref in text


def test_update_renames_and_rotates_the_password_in_place(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    created = provider.create(checked(provider, project_props()))
    ref = created.id
    assert ref is not None
    news = checked(provider, project_props(name="nestsync-renamed", database_password="a-new-password-2"))

    diff = provider.diff(ref, created.outs, news)
    assert diff.changes and not diff.replaces
    outs = provider.update(ref, created.outs, news).outs

    state = emulator.state()["supabase"]["projects"][ref]
    assert state["name"] == "nestsync-renamed"
    password_calls = _ops(emulator, "v1-update-database-password")
    assert [c["request"] for c in password_calls] == [{"password": "a-new-password-2"}]
    assert (
        emulator.app.vendors["supabase"].state.projects[ref]["db_pass_sha256"]
        == hashlib.sha256(b"a-new-password-2").hexdigest()
    )
    assert (
        "a-new-password-2@" in outs["connection_uri"] and "a-new-password-2@" in outs["pooled_connection_uri"]
    )
    assert outs["ref"] == ref and outs["anon_key"] == created.outs["anon_key"]
    assert not provider.diff(ref, outs, news).changes


def test_update_resizes_through_the_compute_addon_and_waits_for_health(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    created = provider.create(checked(provider, project_props(instance_size="micro")))
    ref = created.id
    assert ref is not None
    emulator.clear_requests()

    outs = provider.update(ref, created.outs, checked(provider, project_props(instance_size="small"))).outs

    addon = _ops(emulator, "v1-apply-project-addon")
    assert [a["request"] for a in addon] == [{"addon_type": "compute_instance", "addon_variant": "ci_small"}]
    seen = [r["response"]["status"] for r in _ops(emulator, "v1-get-project")]
    assert "RESTARTING" in seen and seen[-1] == "ACTIVE_HEALTHY", "the resize is waited out"
    assert outs["instance_size"] == "small"
    assert emulator.state()["supabase"]["projects"][ref]["instance_size"] == "small"


def test_region_and_organization_changes_replace(emulator: RunningEmulator) -> None:
    provider = ProjectProvider()
    olds = {**project_props(), "ref": "abcdefghijklmnopqrst", "__provider": "x"}
    assert provider.diff("abcdefghijklmnopqrst", olds, project_props(region="us-east-1")).replaces == [
        "region"
    ]
    assert provider.diff("abcdefghijklmnopqrst", olds, project_props(organization_slug="other")).replaces == [
        "organization_slug"
    ]
    assert not provider.diff("abcdefghijklmnopqrst", olds, {**project_props(), "__provider": "y"}).changes
    assert emulator.requests("supabase") == []


def test_replacement_creates_the_new_project_and_deletes_the_old(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    old = provider.create(checked(provider, project_props()))
    new = provider.create(checked(provider, project_props(region="us-east-1")))
    assert old.id is not None and new.id is not None
    provider.delete(old.id, old.outs)
    projects = client(emulator).list_projects()
    live = [p["ref"] for p in projects if p["status"] == "ACTIVE_HEALTHY"]
    assert live == [new.id]
    assert new.outs["region"] == "us-east-1"


def test_read_refreshes_drift_and_reports_a_deleted_project_as_gone(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    created = provider.create(checked(provider, project_props(instance_size="micro")))
    ref = created.id
    assert ref is not None
    api = client(emulator)
    api.update_project(ref, name="renamed-in-dashboard")

    emulator.clear_requests()
    read = provider.read(ref, {**created.outs, "__provider": "x"})
    assert [r["operation"] for r in emulator.requests("supabase")] == [
        "v1-get-project",
        "v1-list-project-addons",
    ]

    assert read.id == ref
    assert read.inputs is not None and read.inputs["name"] == "renamed-in-dashboard"
    assert read.inputs["database_password"] == PASSWORD and read.inputs["instance_size"] == "micro"
    assert (
        read.outs is not None and read.outs["pooled_connection_uri"] == created.outs["pooled_connection_uri"]
    )
    assert provider.diff(ref, read.outs, checked(provider, project_props(instance_size="micro"))).changes

    api.delete_project(ref)
    api.get_project(ref)  # observed: gone
    gone = provider.read(ref, created.outs)
    assert gone.id is None and gone.outs == {}


def test_delete_waits_while_the_project_is_not_ready_and_treats_gone_as_done(
    emulator: RunningEmulator,
) -> None:
    api = client(emulator)
    fresh = api.create_project(name="young", organization_slug=ORG, db_pass=PASSWORD, region="ca-central-1")
    provider = make_provider(ProjectProvider, emulator)

    provider.delete(fresh["ref"], {"name": "young"})

    statuses = [r["status"] for r in _ops(emulator, "v1-delete-a-project")]
    assert statuses[0] == 400 and statuses[-1] == 200
    assert _ops(emulator, "v1-delete-a-project")[0]["response"] == {
        "message": "Project not ready for deletion."
    }
    api.get_project(fresh["ref"])
    provider.delete(fresh["ref"], {"name": "young"})  # already gone: success
    assert _ops(emulator, "v1-delete-a-project")[-1]["status"] == 404


def test_check_reports_every_bad_field_and_sends_nothing(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    result = provider.check(
        {},
        project_props(
            region="ca-east-9", instance_size="pico", database_password="abc", organization_slug="a b"
        ),
    )
    failures = {f.property: f.reason for f in result.failures}
    assert set(failures) == {"region", "instance_size", "database_password", "organization_slug"}
    assert "ca-central-1" in failures["region"], "the valid regions are named"
    assert "micro" in failures["instance_size"]
    assert "abc" not in failures["database_password"], "a password never appears in a message"
    assert emulator.requests("supabase") == []


def test_check_tolerates_unknown_values_in_preview(emulator: RunningEmulator) -> None:
    provider = make_provider(ProjectProvider, emulator)
    result = provider.check({}, project_props(database_password=UNKNOWN))
    assert result.failures == []


def test_missing_token_fails_in_create_naming_the_key_but_not_in_check(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SUPABASE_ACCESS_TOKEN", raising=False)
    provider = make_provider(ProjectProvider, emulator, token=None)
    inputs = checked(provider, project_props())
    with pytest.raises(CredentialsMissingError, match=r"supabase:accessToken.*SUPABASE_ACCESS_TOKEN"):
        provider.create(inputs)
    assert emulator.requests("supabase") == []


def test_token_falls_back_to_the_environment(
    emulator: RunningEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPABASE_ACCESS_TOKEN", "sbp_from_env\n")
    provider = make_provider(ProjectProvider, emulator, token=None)
    assert provider.read("abcdefghijklmnopqrst", {}).id is None  # 404, authenticated
    assert emulator.requests("supabase")[-1]["status"] == 404


def test_rate_limited_calls_wait_for_the_window_and_succeed(emulator: RunningEmulator) -> None:
    emulator.app.settings.vendor_options["supabase"] = {"rate_limit_per_minute": 2}
    time = EmulatedTime(emulator)
    api = client(emulator, time)
    for _ in range(3):
        assert api.list_organizations()[0]["slug"] == ORG
    statuses = [r["status"] for r in emulator.requests("supabase")]
    # The second answer says the window is used up (X-RateLimit-Remaining: 0): the pacer waits for its
    # reset before the third request, so no 429 is ever answered.
    assert statuses == [200, 200, 200]
    assert time.sleeps and time.sleeps[0] >= 1


@pytest.mark.parametrize(
    "provider_cls",
    [
        getattr(supabase_resources, n)
        for n in supabase_resources.__all__
        if n.endswith("Provider") and n != "SupabaseProvider"
    ],
)
def test_pickled_provider_after_configure_holds_no_token(
    emulator: RunningEmulator,
    provider_cls: type[supabase_resources.SupabaseProvider],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SUPABASE_ACCESS_TOKEN", raising=False)
    provider = provider_cls()
    provider.configure(configure_request(emulator))
    provider._client()  # the client built from the token exists now
    data = dill.dumps(provider, recurse=True)
    assert TOKEN.encode() not in data and b"sbp_" not in data
    restored = dill.loads(data)
    with pytest.raises(CredentialsMissingError):
        restored.configure(configure_request(emulator, token=None))
        restored._client()


def test_http_client_does_not_leak_the_token_in_errors(emulator: RunningEmulator) -> None:
    emulator.app.settings.token = "only-this-token"
    try:
        provider = make_provider(ProjectProvider, emulator)
        with pytest.raises(ApiError) as caught:
            provider.read("abcdefghijklmnopqrst", {})
        assert caught.value.status == 401 and TOKEN not in str(caught.value)
    finally:
        emulator.app.settings.token = None


def test_client_sends_bearer_token_stripped(emulator: RunningEmulator) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json=[])

    from providers.http import Secret
    from providers.supabase.client import SupabaseClient

    api = SupabaseClient(
        token=Secret(TOKEN + "\n"), base_url="https://api.example", transport=httpx.MockTransport(handler)
    )
    api.list_projects()
    assert seen == [f"Bearer {TOKEN}"]
