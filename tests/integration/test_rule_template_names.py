"""Whatever validation accepts renders at run time (issue 12, item 1), on both
databases: the shipped nordvarme example's approval notification, and the
links the platform really gives templates against what golden tests and the
validator assume."""

from __future__ import annotations

import email
import email.policy

from tests.support.capture import jpeg_bytes, report, started_case, upload
from tests.support.cases import publish_example
from tests.support.exports import drain
from tests.support.world import World

EXPENSIVE = [{"article": "HP-F2120-8", "quantity": "1"}, {"article": "HP-VVM320", "quantity": "1"}]


def test_the_shipped_example_asks_for_material_approval_without_a_failed_action(
        world: World) -> None:
    publish_example(world)
    case = started_case(world)
    photo = upload(world, case["id"], jpeg_bytes()).json["id"]
    data = {**report(photo), "materials": EXPENSIVE}
    resp = world.api("technician").post(f"/api/v1/cases/{case['id']}/submissions",
                                        json={"form": "installation_report", "data": data})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    evaluation = resp.json["evaluation"]
    assert "expensive_material" in {f["rule"] for f in evaluation["fired"]}
    assert "RULE_ACTION_FAILED" not in {e["code"] for e in evaluation["exceptions_opened"]}
    assert evaluation["errors"] == []
    assert {"rule": "expensive_material", "approver": "role:admin"}.items() <= {
        k: v for a in evaluation["approvals_requested"] if a["rule"] == "expensive_material"
        for k, v in a.items()}.items()
    drain(world.app)
    mail_dir = world.app.extensions["workorders.settings"].mail_dir
    bodies = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
              for p in mail_dir.glob("*.eml")]
    [mail] = [m for m in bodies if str(m["Subject"]).startswith("Godkännande krävs")]
    text = mail.get_body().get_content()  # type: ignore[union-attr]
    assert mail["To"] == world.a.emails["admin"]
    assert f"/cases/{case['id']}" in text


def test_golden_tests_and_the_validator_know_exactly_the_links_the_platform_gives(
        world: World) -> None:
    from workorders.definitions.templates import TEMPLATE_EXTRAS
    from workorders.platform.extensions import db
    from workorders.platform.models import Case
    from workorders.platform.services.case_context import LoadedCase
    from workorders.platform.services.definitions import bundle_of
    from workorders.platform.services.rules_runtime import links_of
    from workorders.rules.render import PLACEHOLDER_LINKS

    publish_example(world)
    case_id = started_case(world)["id"]
    with world.app.app_context():
        case = db.session.get(Case, case_id)
        assert case is not None
        bundle = bundle_of(case.definition)
        case_type = bundle.case_type(case.case_type)
        assert case_type is not None
        given = set(links_of(LoadedCase(case, bundle, case_type)))
    assert given == set(PLACEHOLDER_LINKS)
    assert given == {p.split(".", 1)[1] for p in TEMPLATE_EXTRAS if p.startswith("links.")}
