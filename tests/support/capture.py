"""Realistic uploads and report data for the heat-pump example."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.support.world import World


def jpeg_bytes(width: int = 64, height: int = 32, orientation: int | None = None) -> bytes:
    img = Image.new("RGB", (width, height), (200, 80, 40))
    out = io.BytesIO()
    if orientation is None:
        img.save(out, format="JPEG")
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (40, 20), (0, 0, 0, 255)).save(out, format="PNG")
    return out.getvalue()


def upload(world: World, case_id: int, data: bytes, name: str = "photo.jpg",
           role: str = "technician", tenant: str = "a"):  # type: ignore[no-untyped-def]
    return world.api(role, tenant).post(
        f"/api/v1/cases/{case_id}/attachments", data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data")


def report(photo: str, signature: str | None = None, hours: str = "6") -> dict[str, Any]:
    data: dict[str, Any] = {
        "time": [{"date": "2026-11-26", "hours": hours, "labor": "install"},
                 {"date": "2026-11-26", "hours": "1", "labor": "travel"}],
        "materials": [{"article": "CU15", "quantity": "12"}],
        "work_description": "Installed the F2120 and connected it to the heating system.",
        "installed_heat_pump": True,
        "heat_pump_serial": "F2120-0042",
        "photos": [photo],
    }
    if signature:
        data["customer_signature"] = {"image": signature, "name": "Lena Berg"}
        data["customer_name"] = "Lena Berg"
    return data


def unresolved_service_visit() -> dict[str, Any]:
    """A service visit report that leaves the fault unresolved (3 h, a new
    compressor): the example bundle's rules ask the customer to approve it, so
    the tests of customer approvals all start from this one report."""
    return {"fault_category": "no_heat", "work_description": "Replaced the compressor",
            "resolved": False,
            "time": [{"date": "2026-11-26", "hours": "3", "labor": "service"}],
            "materials": [{"article": "HP-F2120-8", "quantity": "1"}]}


def started_case(world: World) -> dict[str, Any]:
    from tests.support.cases import book

    case = book(world)
    world.api("coordinator").post(f"/api/v1/cases/{case['id']}/transitions",
                                  json={"transition": "schedule"})
    world.api("technician").post(f"/api/v1/cases/{case['id']}/transitions",
                                 json={"transition": "start"})
    return case
