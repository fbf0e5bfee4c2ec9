"""``workorders definitions migrate`` as an operator runs it, on both databases."""

from __future__ import annotations

from tests.integration.test_cli import env  # noqa: F401  (fixture)
from tests.support.migration import cases_in_every_state, publish
from tests.support.processes import run_workorders
from tests.support.repairs import V2
from tests.support.state import snapshot
from tests.support.world import World

MIGRATE = ["definitions", "migrate", "--tenant", "alpha", "--to", "2", "--map", "waiting=on_hold",
           "--field", "urgency=priority"]


def _versions(world: World) -> dict[str, int]:
    from sqlalchemy import select

    from workorders.platform.extensions import db
    from workorders.platform.models import Case, DefinitionVersion

    with world.app.app_context():
        rows = db.session.execute(select(Case.number, DefinitionVersion.number).join(
            DefinitionVersion, DefinitionVersion.id == Case.definition_version_id)).all()
        return {case: version for case, version in rows}


def test_a_dry_run_prints_the_table_writes_nothing_and_exits_1(
        world: World, env: dict[str, str]) -> None:  # noqa: F811
    cases_in_every_state(world)
    publish(world, V2)
    before = snapshot(world.app)
    result = run_workorders([*MIGRATE, "--dry-run"], env)
    assert result.returncode == 1, result.stderr
    assert snapshot(world.app) == before
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["case", "from", "state", "to", "state", "result", "why"]
    review = next(line for line in lines if " review " in line)
    assert "NOT migratable" in review and "the state 'Review' (review) does not exist" in review
    waiting = next(line for line in lines if " waiting " in line)
    assert waiting.split()[1:5] == ["v1", "waiting", "on_hold", "migratable"]
    assert lines[-1] == "8 open case(s) to move to version 2: 4 migratable, 4 not"


def test_apply_moves_the_migratable_cases_and_a_second_run_finds_nothing_to_move(
        world: World, env: dict[str, str]) -> None:  # noqa: F811
    cases_in_every_state(world)
    publish(world, V2)
    result = run_workorders([*MIGRATE, "--comment", "new lifecycle"], env)
    assert result.returncode == 1  # four cases could not move
    assert result.stdout.splitlines()[-1] == ("8 open case(s) to move to version 2: "
                                              "4 migratable, 4 not; 4 migrated, 0 skipped")
    assert "moved 4/4 cases" in result.stderr
    assert sorted(_versions(world).values()) == [1] * 6 + [2] * 4
    before = snapshot(world.app)
    again = run_workorders([*MIGRATE, "--comment", "new lifecycle"], env)
    assert again.stdout.splitlines()[-1].endswith("0 migrated, 0 skipped")
    assert snapshot(world.app) == before


def test_bad_input_is_one_clear_line_and_changes_nothing(
        world: World, env: dict[str, str]) -> None:  # noqa: F811
    cases_in_every_state(world)
    publish(world, V2)
    before = snapshot(world.app)
    unknown = run_workorders([*MIGRATE[:-4], "--map", "waiting=parked", "--dry-run"], env)
    assert unknown.returncode == 1
    assert "'parked' is not a state in version 2" in unknown.stderr
    malformed = run_workorders([*MIGRATE[:-4], "--map", "waiting", "--dry-run"], env)
    assert malformed.returncode == 1 and "'waiting' is not old=new" in malformed.stderr
    no_comment = run_workorders(MIGRATE, env)
    assert no_comment.returncode == 1 and "say why the cases move" in no_comment.stderr
    assert snapshot(world.app) == before
