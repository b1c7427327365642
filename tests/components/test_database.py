"""Database under Pulumi mocks: one interface over Neon, Supabase and Railway Postgres."""

from __future__ import annotations

from typing import Any

import pytest

from components.database import Database, DatabaseArgs, unsupported_settings
from tests.mocks import Recorder, is_secret, reveal, run, sink

OUTPUT_NAMES = (
    "connection_uri",
    "pooled_connection_uri",
    "external_uri",
    "host",
    "port",
    "database_name",
    "user",
)


def build(args: DatabaseArgs) -> tuple[Recorder, dict[str, Any]]:
    """Register the database and feed each uniform output to a sink resource: value and secretness."""

    def program() -> None:
        db = Database("database", args)
        for name in OUTPUT_NAMES:
            sink(f"out-{name}", getattr(db, name))

    rec = run(program)
    return rec, {name: rec.named(f"out-{name}").inputs.get("value") for name in OUTPUT_NAMES}


NEON = DatabaseArgs(
    engine="neon",
    name="acme-prod",
    region="aws-us-west-2",
    postgres_version=17,
    database_name="app",
    user="app",
    min_cu=0.5,
    max_cu=4,
    suspend_timeout_seconds=-1,
    history_retention_seconds=30 * 86400,
    protect=True,
)


# -- Neon -----------------------------------------------------------------------------------------------
def test_neon_is_one_project_carrying_compute_and_history_retention() -> None:
    rec, _ = build(NEON)
    project = rec.named("database-project")
    assert project.type == "pulumi-python:dynamic/neon:Project"
    assert project.parent == rec.named("database").urn
    assert reveal(project.inputs) == {
        "name": "acme-prod",
        "region_id": "aws-us-west-2",
        "pg_version": 17,
        "autoscaling_min_cu": 0.5,
        "autoscaling_max_cu": 4,
        "suspend_timeout_seconds": -1,
        "history_retention_seconds": 2592000,
        "database_name": "app",
        "role_name": "app",
    }


def test_neon_protect_is_set_on_the_project() -> None:
    rec, _ = build(NEON)
    assert rec.named("database-project").protect


def test_neon_uniform_outputs_with_uris_secret() -> None:
    _, out = build(NEON)
    for name in ("connection_uri", "pooled_connection_uri", "external_uri"):
        assert is_secret(out[name]), name
    assert reveal(out["connection_uri"]).startswith("postgresql://app:")
    assert (out["host"], out["port"], out["database_name"], out["user"]) == (
        "ep-mock.us-west-2.aws.neon.tech",
        5432,
        "app",
        "app",
    )


# -- Supabase -------------------------------------------------------------------------------------------
SUPABASE = DatabaseArgs(
    engine="supabase",
    name="nestsync-prod",
    region="ca-central-1",
    organization_slug="nestsync",
    instance_size="small",
    pitr_days=7,
    backup_time="07:00:00",
    protect=True,
)


def test_supabase_project_gets_a_generated_secret_password_in_canada() -> None:
    rec, _ = build(SUPABASE)
    project = rec.named("database-project")
    assert project.type == "pulumi-python:dynamic/supabase:Project"
    assert (project.plain("region"), project.plain("organization_slug"), project.plain("instance_size")) == (
        "ca-central-1",
        "nestsync",
        "small",
    )
    assert is_secret(project.inputs["database_password"])
    assert project.plain("database_password") == "generated-database-password"
    assert project.protect


def test_supabase_backups_map_to_the_pitr_add_on_and_schedule() -> None:
    rec, _ = build(SUPABASE)
    policy = rec.named("database-backups")
    assert policy.type == "pulumi-python:dynamic/supabase:BackupPolicy"
    assert (policy.plain("project_ref"), policy.plain("pitr_days"), policy.plain("schedule_for")) == (
        "mockref",
        7,
        "07:00:00",
    )


def test_supabase_without_backup_settings_has_no_policy() -> None:
    rec, _ = build(DatabaseArgs(engine="supabase", name="n", region="ca-central-1", organization_slug="o"))
    assert rec.of_type("supabase:BackupPolicy") == []


def test_supabase_uniform_outputs() -> None:
    _, out = build(SUPABASE)
    assert is_secret(out["pooled_connection_uri"]) and is_secret(out["connection_uri"])
    assert (out["host"], out["database_name"], out["user"]) == (
        "db.mockref.supabase.co",
        "postgres",
        "postgres",
    )


# -- Railway ----------------------------------------------------------------------------------------------
RAILWAY = DatabaseArgs(
    engine="railway",
    name="kars-prod",
    region="europe-west4-drams3a",
    postgres_version=15,
    project_id="proj-1",
    environment_id="env-1",
    vcpus=1,
    memory_gb=2,
    backup_schedules=["DAILY", "WEEKLY"],
    public=True,
    protect=True,
)


def test_railway_postgres_is_an_image_service_with_a_volume_and_secret_variables() -> None:
    rec, _ = build(RAILWAY)
    service = rec.named("database-service")
    assert service.plain("image") == "ghcr.io/railwayapp-templates/postgres-ssl:15"
    assert service.plain("name") == "postgres"
    assert is_secret(service.inputs["variables"])
    variables = service.plain("variables")
    assert variables["POSTGRES_PASSWORD"] == "generated-database-password"
    assert variables["PGDATA"] == "/var/lib/postgresql/data/pgdata"
    volume = rec.named("database-volume")
    assert (volume.plain("mount_path"), volume.plain("region"), volume.plain("backup_schedules")) == (
        "/var/lib/postgresql/data",
        "europe-west4-drams3a",
        ["DAILY", "WEEKLY"],
    )


def test_railway_protect_covers_service_and_volume() -> None:
    rec, _ = build(RAILWAY)
    assert rec.named("database-service").protect and rec.named("database-volume").protect
    assert not rec.named("database-password").protect


def test_railway_instance_deploys_after_the_volume_and_the_proxy_needs_only_the_service() -> None:
    rec, _ = build(RAILWAY)
    instance = rec.named("database-instance")
    assert rec.named("database-volume").urn in instance.dependencies
    assert reveal(instance.inputs)["regions"] == {"europe-west4-drams3a": 1}
    proxy = rec.named("database-proxy")
    assert proxy.plain("application_port") == 5432 and instance.urn not in proxy.dependencies
    assert rec.named("database-service").urn in proxy.dependencies


def test_railway_uris_private_inside_and_proxied_outside() -> None:
    _, out = build(RAILWAY)
    assert reveal(out["connection_uri"]) == (
        "postgresql://app:generated-database-password@postgres.railway.internal:5432/app"
    )
    assert reveal(out["pooled_connection_uri"]) == reveal(out["connection_uri"])  # Railway has no pooler
    assert reveal(out["external_uri"]).startswith(
        "postgresql://app:generated-database-password@mock.proxy.rlwy.net:31337/"
    )
    assert all(is_secret(out[k]) for k in ("connection_uri", "pooled_connection_uri", "external_uri"))


def test_railway_without_public_has_no_proxy_and_no_external_uri() -> None:
    from dataclasses import replace

    rec, out = build(replace(RAILWAY, public=False))
    assert rec.of_type("railway:TcpProxy") == []
    assert out["external_uri"] is None


# -- settings an engine cannot honour ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (DatabaseArgs(engine="neon", name="n", region="aws-us-east-1", pitr_days=7), ["pitr_days"]),
        (
            DatabaseArgs(
                engine="supabase",
                name="n",
                region="ca-central-1",
                organization_slug="o",
                history_retention_seconds=86400,
                postgres_version=15,
            ),
            ["postgres_version", "history_retention_seconds"],
        ),
        (
            DatabaseArgs(
                engine="railway",
                name="n",
                region="us-west2",
                project_id="p",
                environment_id="e",
                pitr_days=7,
                min_cu=1,
            ),
            ["min_cu", "pitr_days"],
        ),
    ],
)
def test_a_setting_the_engine_cannot_honour_is_an_error(args: DatabaseArgs, refused: list[str]) -> None:
    assert unsupported_settings(args) == refused
    with pytest.raises(ValueError, match="cannot honour"):
        build(args)
