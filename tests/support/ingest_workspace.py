"""A real workspace with a few regions, services and devices loaded, for ingestion tests."""

from __future__ import annotations

from pathlib import Path

from cityops.ingestion.batch import ingest_file
from cityops.workspace.create import create_workspace
from cityops.workspace.workspace import Workspace

__all__ = ["REGIONS_CSV", "SERVICES_CSV", "make_workspace", "write_text"]

REGIONS_CSV = """region_code,name,level,parent_code,resident_population
330000,示范省,province,,5000000
330100,示范市,city,330000,1000000
330102,东湖区,district,330100,400000
330103,西山区,district,330100,600000
"""

SERVICES_CSV = (
    "service_id,name,department,category,region_code,on_portal,one_thing_id,online_since,"
    "offline_at\n"
    "s1,出生登记,公安局,户籍,330102,true,,2024-01-01,\n"
    "s2,社保查询,人社局,社保,330103,是,birth,2024-06-01,\n"
)

DEVICES_CSV = (
    "device_id,kind,region_code,installed_at,retired_at,shared,heartbeat_interval_s\n"
    "d1,camera,330102,2024-01-01,,true,300\n"
    "d2,sensor,330103,2024-01-01,,false,600\n"
    "d3,camera,330103,2024-01-01,,true,\n"
)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def make_workspace(directory: Path) -> Workspace:
    """A new workspace in ``directory/ws`` with regions, services and devices."""
    workspace = create_workspace(directory / "ws", name="示范市")
    sources = directory / "register-sources"
    sources.mkdir(exist_ok=True)
    for name, text in (("regions", REGIONS_CSV), ("services", SERVICES_CSV),
                       ("devices", DEVICES_CSV)):  # fmt: skip
        ingest_file(workspace, name, write_text(sources / f"{name}.csv", text))
    return workspace
