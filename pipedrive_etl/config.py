"""sync.yaml: workspaces, field and stage mappings and creation rules, validated once, before any request.

Every mistake is reported with the path of the bad key and what is allowed there, e.g.
`sync.yaml: workspaces[0].pipedrive.plan: 'gold' is not allowed; allowed: 'lite', 'growth', 'premium',
'ultimate'`.
Secrets never live in this file: a workspace names the environment variable that holds its API token (or the
OAuth connection stored in the warehouse). `${VAR}` and `${VAR:-default}` in string values read
the environment.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Plan = Literal["lite", "growth", "premium", "ultimate", "essential", "advanced", "professional", "power",
               "enterprise"]
Strategy = Literal["latest_wins", "pipedrive_wins", "coldcopy_wins", "manual"]
Direction = Literal["both", "to_pipedrive", "to_coldcopy"]
PipedriveEntity = Literal["person", "organization", "deal", "activity"]
CampaignAction = Literal["start_campaign", "stop_campaign", "pause_campaign", "send_notification",
                         "update_lead_score", "assign_owner"]

EmailEventType = Literal["sent", "delivered", "opened", "clicked", "replied", "bounced", "unsubscribed"]

_ENV = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}")
_WORKSPACE_ID = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class ConfigError(ValueError):
    """sync.yaml is invalid; the message names every bad key."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ApiTokenRef(_Strict):
    type: Literal["api_token"] = "api_token"
    env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$", description="environment variable holding the API token")


class OAuthRef(_Strict):
    type: Literal["oauth"]
    connection: str = Field(description="name of the OAuth connection stored in state.pipedrive_auth")


class PipedriveAccount(_Strict):
    company_domain: str = Field(min_length=1)
    base_url: str | None = Field(
        None, description="overrides https://<company_domain>.pipedrive.com (the sandbox)")
    auth: Annotated[ApiTokenRef | OAuthRef, Field(discriminator="type")]
    plan: Plan = "growth"
    seats: int = Field(1, ge=1)
    topups: int = Field(0, ge=0)
    # Pipedrive resets the budget "at midnight at server's timezone", which it does not name.
    budget_reset_timezone: str = "UTC"

    @field_validator("auth", mode="before")
    @classmethod
    def _api_token_by_default(cls, value: Any) -> Any:
        if isinstance(value, dict) and "type" not in value:
            return {"type": "api_token", **value}
        return value


class ActivitiesToPipedrive(_Strict):
    """ColdCopy email events and call logs that become Pipedrive activities (one per source event)."""

    enabled: bool = True
    # Opens, clicks and deliveries are off by default: one activity each would flood a salesperson's timeline.
    email_event_types: list[EmailEventType] = Field(
        default_factory=lambda: ["sent", "replied", "bounced", "unsubscribed"])
    call_logs: bool = True


class ActivitiesToColdCopy(_Strict):
    """Pipedrive activities of linked persons that become entries of ColdCopy's timeline table."""

    enabled: bool = True
    # Pipedrive activity type key -> ColdCopy timeline entry type; types not listed are not copied.
    types: dict[str, str] = Field(default_factory=lambda: {
        "call": "call", "meeting": "meeting", "task": "task", "deadline": "deadline", "email": "email"})


class ActivitySync(_Strict):
    to_pipedrive: ActivitiesToPipedrive = ActivitiesToPipedrive()
    to_coldcopy: ActivitiesToColdCopy = ActivitiesToColdCopy()


class Workspace(_Strict):
    id: str = Field(pattern=_WORKSPACE_ID)
    coldcopy_workspace_id: str | None = Field(
        None, description="the workspace's id in ColdCopy; defaults to id")
    pipedrive: PipedriveAccount
    extraction_budget_share: float = Field(0.6, gt=0, le=1)
    lookback_minutes: int = Field(10, ge=0, le=24 * 60)
    id_sweep_every_hours: int = Field(24, ge=1)
    # Pipelines, stages and field definitions (no updated_since filter) are re-read at most this often.
    definitions_max_age_minutes: int = Field(60, ge=0)
    conflict_strategy: Strategy = "latest_wins"
    activities: ActivitySync = ActivitySync()

    @property
    def coldcopy_id(self) -> str:
        return self.coldcopy_workspace_id or self.id


class FormatTransform(_Strict):
    format: Literal["lower", "upper", "title", "strip", "digits", "e164"]


class LookupTransform(_Strict):
    lookup: dict[str, str | int | float | bool | None]
    default: str | int | float | bool | None = None


class CalculationTransform(_Strict):
    calculation: Literal["multiply", "add", "round"]
    operand: float = 0


class ConditionalTransform(_Strict):
    class Case(_Strict):
        equals: str | int | float | bool | None
        then: str | int | float | bool | None

    conditional: list[Case] = Field(min_length=1)
    otherwise: str | int | float | bool | None = None


Transform = FormatTransform | LookupTransform | CalculationTransform | ConditionalTransform


# The types `POST /api/v2/<entity>Fields` creates (pipedrive-api.md §6); system types are read-only.
CreatableFieldType = Literal["varchar", "varchar_auto", "text", "double", "monetary", "date", "daterange",
                             "time", "timerange", "set", "enum", "user", "org", "people", "phone", "address"]


class PipedriveFieldRef(_Strict):
    """A Pipedrive field, by key or by name; with `create_if_missing`, also the custom field to create when
    the name is not found (`pipedrive-etl fields ensure` and the pipedrive/custom_fields asset create it)."""

    entity: PipedriveEntity
    key: str | None = Field(None, description="built-in field name or 40-hex custom field key")
    name: str | None = Field(None, description="custom field name, resolved through the field definitions")
    create_if_missing: bool = False
    field_type: CreatableFieldType | None = Field(None, description="the type of the field to create")
    options: list[str] = Field(default_factory=list, description="enum/set option labels, added when missing")

    @model_validator(mode="after")
    def _key_or_name(self) -> PipedriveFieldRef:
        if (self.key is None) == (self.name is None):
            raise ValueError("give exactly one of 'key' or 'name'")
        return self

    @model_validator(mode="after")
    def _a_field_to_create_is_complete(self) -> PipedriveFieldRef:
        problems = []
        if self.create_if_missing:
            if self.name is None:
                problems.append("create_if_missing needs 'name' (a key names a field that already exists)")
            elif not self.name.strip():
                problems.append("create_if_missing needs a non-blank 'name'")
            if self.field_type is None:
                problems.append("create_if_missing needs 'field_type' (one of the creatable types)")
            if self.entity == "activity":
                problems.append("activity fields are read-only in Pipedrive's v2 API; create_if_missing is "
                                "not possible for entity 'activity'")
        elif self.field_type is not None or self.options:
            # Otherwise they would be silently ignored: they describe only a field to create.
            problems.append("'field_type' and 'options' describe the field to create; set "
                            "create_if_missing: true or remove them")
        if self.options and self.field_type not in ("enum", "set"):
            problems.append(f"'options' are only for field_type enum or set, not {self.field_type!r}")
        blank = [label for label in self.options if not label.strip() or len(label) > 255]
        if blank:
            problems.append(f"option labels must be 1 to 255 characters: {blank!r}")
        folded = [label.strip().casefold() for label in self.options]
        repeated = sorted({label for label in self.options if folded.count(label.strip().casefold()) > 1})
        if repeated:
            problems.append(f"option labels must be unique (ignoring case); repeated: {', '.join(repeated)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class FieldMapping(_Strict):
    coldcopy_field: str = Field(min_length=1)
    pipedrive: PipedriveFieldRef
    direction: Direction = "both"
    rule: Strategy | None = Field(
        None, description="overrides the workspace's conflict_strategy for this field")
    transform: Transform | None = None


class StageRef(_Strict):
    pipeline: str | int
    stage: str | int


class StageMapping(StageRef):
    lead_status: str = Field(min_length=1)
    campaign_actions: list[CampaignAction] = Field(default_factory=list)


class DealCreation(_Strict):
    pipeline: str | int
    stage: str | int
    title_template: str = "{company} - {first_name} {last_name}"


class CreationRules(_Strict):
    create_persons_for_statuses: list[str] = Field(default_factory=list)
    create_organizations: bool = True
    create_deals: DealCreation | None = None
    external_id_field_name: str = "ColdCopy lead id"


class ColdCopySource(_Strict):
    database_url: str = "sqlite:///data/demo/coldcopy.db"


class SyncConfig(_Strict):
    version: Literal[1] = 1
    coldcopy: ColdCopySource = ColdCopySource()
    workspaces: list[Workspace] = Field(min_length=1)
    field_mappings: list[FieldMapping] = Field(default_factory=list)
    stage_mappings: list[StageMapping] = Field(default_factory=list)
    creation_rules: CreationRules = CreationRules()

    @field_validator("workspaces")
    @classmethod
    def _unique_workspace_ids(cls, workspaces: list[Workspace]) -> list[Workspace]:
        ids = [w.id for w in workspaces]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"workspace ids must be unique; repeated: {', '.join(duplicates)}")
        return workspaces

    @field_validator("field_mappings")
    @classmethod
    def _one_mapping_per_coldcopy_field(cls, mappings: list[FieldMapping]) -> list[FieldMapping]:
        # The ColdCopy field names the mapping in state.sync_baseline: two mappings of one field would
        # share it.
        names = [m.coldcopy_field for m in mappings]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"each ColdCopy field may be mapped once; repeated: {', '.join(duplicates)}")
        return mappings

    def workspace(self, workspace_id: str) -> Workspace:
        for workspace in self.workspaces:
            if workspace.id == workspace_id:
                return workspace
        known = ", ".join(w.id for w in self.workspaces)
        raise ConfigError(f"unknown workspace {workspace_id!r}; sync.yaml defines: {known}")


def _interpolate(value: Any, env: dict[str, str]) -> Any:
    if isinstance(value, str):
        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if name in env:
                return env[name]
            if default is not None:
                return default
            raise ConfigError(f"environment variable {name} is not set (and no ${{{name}:-default}} given)")

        return _ENV.sub(replace, value)
    if isinstance(value, list):
        return [_interpolate(v, env) for v in value]
    if isinstance(value, dict):
        return {k: _interpolate(v, env) for k, v in value.items()}
    return value


def _location(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _describe(error: dict[str, Any]) -> str:
    where = _location(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown key"
    if kind == "literal_error":
        allowed = error.get("ctx", {}).get("expected", "")
        return f"{where}: {error['input']!r} is not allowed; allowed: {allowed}"
    if kind == "missing":
        return f"{where}: required key is missing"
    return f"{where}: {error['msg']}"


def parse_config(data: Any, *, source: str = "sync.yaml", env: dict[str, str] | None = None) -> SyncConfig:
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {type(data).__name__}")
    try:
        return SyncConfig.model_validate(_interpolate(data, dict(os.environ) if env is None else env))
    except ValidationError as exc:
        problems = "\n".join(f"  {source}: {_describe(e)}" for e in exc.errors())
        raise ConfigError(f"{source} is invalid:\n{problems}") from None


def load_config(path: str | Path, *, env: dict[str, str] | None = None) -> SyncConfig:
    path = Path(path)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    return parse_config(data, source=str(path), env=env)
