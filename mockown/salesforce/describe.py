"""The sObjects the mock serves, in ONE table: describeGlobal, the sObject basic information and describe
resources, the SOQL query (its object and field names) and the records all read it, so they cannot drift.

Salesforce's shapes (REST API guide "sObject Basic Information", "sObject Describe", "Describe Global"): the basic
information is ``{"objectDescribe": <the describeGlobal entry>, "recentItems": [...]}``; the describe adds
``fields``, ``childRelationships``, ``recordTypeInfos`` and more to the same members. Only well-known members are
kept. sObject names in these URLs are case-insensitive (``sobjects/user/describe`` describes ``User``).

The mock can only read these objects, so every object and every field says ``createable``/``updateable``/
``deletable`` false (a real org would let an admin create a User).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any

from ..fieldwise import Value
from . import oauth_tokens
from .models import USER_TYPES, Org

# a field type's SOAP type; the other (text) types are xsd:string
_SOAP_TYPES = {"id": "tns:ID", "reference": "tns:ID", "boolean": "xsd:boolean", "datetime": "xsd:dateTime",
               "date": "xsd:date", "int": "xsd:int", "double": "xsd:double"}  # fmt: skip
_TEXT_TYPES = frozenset({"string", "email", "picklist", "textarea", "phone", "url", "id", "reference"})


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Field(Value):
    """A field of an sObject's describe."""

    name: str
    label: str
    type: str  # Salesforce's field types: id, string, boolean, datetime, date, reference, email, picklist, int...
    length: int = 0  # text types only
    nillable: bool = True
    reference_to: tuple[str, ...] = ()
    relationship: str | None = None
    picklist: tuple[str, ...] = ()
    name_field: bool = False
    # Salesforce assigns the value when a record is created without one ("defaultedOnCreate": the audit fields, an
    # owner, a value the platform derives); an id and a checkbox (boolean: never null, false unless set) always are
    defaulted: bool = False

    @property
    def soql_type(self) -> str:
        """The type a SOQL filter value for this field must have, as Salesforce's INVALID_FIELD message names it: its
        SOAP type's local name (`xsd:dateTime` is `dateTime`, `tns:ID` is `id`, any text type `string`)."""
        local = _SOAP_TYPES.get(self.type, "xsd:string").partition(":")[2]
        return "id" if local == "ID" else local

    def describe(self) -> dict[str, Any]:
        text = self.type in _TEXT_TYPES
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "soapType": _SOAP_TYPES.get(self.type, "xsd:string"),
            "length": self.length if text else 0,
            "byteLength": self.length * 3 if text else 0,
            "digits": 9 if self.type == "int" else 0,
            "precision": 0,
            "scale": 0,
            "nillable": self.nillable,
            "createable": False,
            "updateable": False,
            "custom": False,
            # not `not nillable`: a required field the creator must fill (Username, LastName, Email, the locale keys)
            # is not defaulted, and a client computing required fields as `!nillable && !defaultedOnCreate` needs that
            "defaultedOnCreate": self.type in ("id", "boolean") or self.defaulted,
            "filterable": True,
            "sortable": self.type not in ("textarea",),
            "groupable": self.type not in ("datetime", "textarea", "double"),
            "unique": self.type == "id" or self.name == "Username",
            "nameField": self.name_field,
            "idLookup": self.type == "id" or self.name == "Username",
            "externalId": False,
            "calculated": False,
            "autoNumber": False,
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship,
            "picklistValues": [
                {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v} for v in self.picklist
            ],
        }


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class SObjectType(Value):
    """An sObject the REST API describes, lists and queries."""

    name: str
    label: str
    plural: str
    key_prefix: str | None
    fields: tuple[Field, ...]
    retrieveable: bool = True
    searchable: bool = False
    dev_hub_only: bool = False
    row_limit: int | None = None  # the most rows a query answers (None: no cap of its own)

    def field(self, name: str) -> Field | None:
        """The field named `name`, case-insensitively (SOQL and describe names are)."""
        lowered = name.lower()
        return next((f for f in self.fields if f.name.lower() == lowered), None)

    def row(self, values: dict[str, Any]) -> dict[str, Any]:
        """A record's fields in the table's order; a field the table lists must have a value (None is one)."""
        return {f.name: values[f.name] for f in self.fields}


def _id(label: str) -> Field:
    return Field("Id", label, "id", 18, nillable=False)


USER = SObjectType("User", "User", "Users", "005", searchable=True, fields=(
    _id("User ID"),
    Field("Username", "Username", "string", 80, nillable=False),
    Field("Name", "Full Name", "string", 121, nillable=False, name_field=True),
    Field("FirstName", "First Name", "string", 40),
    Field("LastName", "Last Name", "string", 80, nillable=False),
    Field("Email", "Email", "email", 128, nillable=False),
    Field("IsActive", "Active", "boolean", nillable=False),
    Field("UserType", "User Type", "picklist", 40, picklist=tuple(USER_TYPES.values()), defaulted=True),
    Field("LanguageLocaleKey", "Language", "picklist", 40, nillable=False, picklist=("en_US",)),
    Field("LocaleSidKey", "Locale", "picklist", 40, nillable=False, picklist=("en_US",)),
    Field("TimeZoneSidKey", "Time Zone", "picklist", 40, nillable=False, picklist=("America/Los_Angeles",)),
))  # fmt: skip
ORGANIZATION = SObjectType("Organization", "Organization", "Organizations", "00D", fields=(
    _id("Organization ID"),
    Field("Name", "Name", "string", 80, nillable=False, name_field=True),
    Field("InstanceName", "Instance Name", "string", 5),
    Field("IsSandbox", "Is Sandbox", "boolean", nillable=False),
    Field("TrialExpirationDate", "Trial Expiration Date", "datetime"),
    Field("NamespacePrefix", "Namespace Prefix", "string", 15),
    Field("OrganizationType", "Edition", "picklist", 40, picklist=(
        "Team Edition", "Professional Edition", "Enterprise Edition", "Developer Edition", "Personal Edition",
        "Unlimited Edition", "Contact Manager Edition", "Base Edition")),
))  # fmt: skip
# OauthToken: the field reference (spec 10); query and describe only, its Id is always null, so no key prefix
OAUTH_TOKEN = SObjectType("OauthToken", "OAuth Token", "OAuth Tokens", None, retrieveable=False,
                          row_limit=oauth_tokens.ROW_LIMIT,
                          fields=(
    _id("OAuth Token ID"),
    Field("AccessToken", "Access Token", "string", 255),
    Field("AppMenuItemId", "AppMenuItem ID", "reference", 18, reference_to=("AppMenuItem",),
          relationship="AppMenuItem"),
    Field("AppName", "Application Name", "string", 255),
    Field("CreatedDate", "Created Date", "datetime", nillable=False, defaulted=True),
    Field("DeleteToken", "Delete Token", "string", 255),
    Field("LastUsedDate", "Last Used Date", "datetime"),
    Field("RequestToken", "Request Token", "string", 255),
    Field("UseCount", "Use Count", "int"),
    Field("UserId", "User ID", "reference", 18, reference_to=("User",), relationship="User"),
))  # fmt: skip
# ScratchOrgInfo (Dev Hub orgs only): the mock holds no scratch orgs, so its query answers no rows
SCRATCH_ORG_INFO = SObjectType("ScratchOrgInfo", "Scratch Org Info", "Scratch Org Infos", "2SR", dev_hub_only=True,
                                fields=(
    _id("Record ID"),
    Field("Name", "Scratch Org Info Name", "string", 80, nillable=False, name_field=True),
    Field("OwnerId", "Owner ID", "reference", 18, nillable=False, reference_to=("User",), relationship="Owner",
          defaulted=True),
    Field("CreatedDate", "Created Date", "datetime", nillable=False, defaulted=True),
    Field("CreatedById", "Created By ID", "reference", 18, nillable=False, reference_to=("User",),
          relationship="CreatedBy", defaulted=True),
    Field("LastModifiedDate", "Last Modified Date", "datetime", nillable=False, defaulted=True),
    Field("Edition", "Edition", "picklist", 255, picklist=("Developer", "Enterprise", "Group", "Professional",
                                                           "Partner Developer", "Partner Enterprise")),
    Field("OrgName", "Org Name", "string", 255),
    Field("Status", "Status", "picklist", 255, picklist=("New", "Deleted", "Active", "Error")),
    Field("ScratchOrg", "Scratch Org", "string", 15),
    Field("SignupUsername", "Signup Username", "string", 80),
    Field("SignupEmail", "Signup Email", "email", 80),
    Field("Username", "Username", "string", 80),
    Field("ExpirationDate", "Expiration Date", "date"),
    Field("DurationDays", "Duration Days", "int"),
    Field("Namespace", "Namespace", "string", 15),
    Field("Features", "Features", "textarea", 4000),
    Field("ConnectedAppConsumerKey", "Connected App Consumer Key", "string", 255),
    Field("ConnectedAppCallbackUrl", "Connected App Callback Url", "string", 1024),
    Field("LoginUrl", "Login Url", "url", 1024),
    Field("AuthCode", "Auth Code", "string", 255),
    Field("ErrorCode", "Error Code", "string", 255),
    Field("Description", "Description", "textarea", 1024),
))  # fmt: skip

SOBJECTS: tuple[SObjectType, ...] = (OAUTH_TOKEN, ORGANIZATION, SCRATCH_ORG_INFO, USER)  # by name
_BY_LOWER = {s.name.lower(): s for s in SOBJECTS}


def served(org: Org) -> list[SObjectType]:
    """The objects `org` can read, by name."""
    return [s for s in SOBJECTS if org.dev_hub or not s.dev_hub_only]


def lookup(org: Org, name: str) -> SObjectType | None:
    """The object `name` names in `org` (case-insensitive), or None: unknown, or not served in that org."""
    kind = _BY_LOWER.get(name.lower())
    if kind is None or (kind.dev_hub_only and not org.dev_hub):
        return None
    return kind


def entry(kind: SObjectType, version: str) -> dict[str, Any]:
    """The describeGlobal entry of `kind` (also the basic information's `objectDescribe`)."""
    root = f"/services/data/v{version}/sobjects/{kind.name}"
    return {
        "name": kind.name,
        "label": kind.label,
        "labelPlural": kind.plural,
        "keyPrefix": kind.key_prefix,
        "custom": False,
        "createable": False,
        "updateable": False,
        "deletable": False,
        "queryable": True,
        "retrieveable": kind.retrieveable,
        "searchable": kind.searchable,
        "urls": {"sobject": root, "describe": f"{root}/describe", "rowTemplate": f"{root}/{{ID}}"},
    }


def describe_global(version: str, org: Org) -> dict[str, Any]:
    """`GET /sobjects/` (describeGlobal): the objects the mock can read, in Salesforce's envelope."""
    return {"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": [entry(k, version) for k in served(org)]}


def basic_info(kind: SObjectType, version: str) -> dict[str, Any]:
    """`GET /sobjects/<Object>`: the object's describeGlobal entry and its recently viewed records (none)."""
    return {"objectDescribe": entry(kind, version), "recentItems": []}


def describe(kind: SObjectType, version: str) -> dict[str, Any]:
    """`GET /sobjects/<Object>/describe`."""
    out = entry(kind, version)
    out.update(
        {
            "fields": [f.describe() for f in kind.fields],
            "childRelationships": [],
            "recordTypeInfos": [],
            "customSetting": False,
            "layoutable": False,
            "mergeable": False,
            "replicateable": False,
            "triggerable": False,
            "undeletable": False,
        }
    )
    return dict(sorted(out.items()))


# -- conditional requests ------------------------------------------------------------------------------
def last_modified(org: Org) -> float:
    """When the describe of `org`'s objects last changed: never since the org was made (the table is fixed)."""
    return org.created_at


def http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(int(epoch), UTC), usegmt=True)


def unchanged_since(header: str | None, org: Org) -> bool:
    """`If-Modified-Since`: whether the describe is unchanged since that date (an unreadable date: no)."""
    if not header:
        return False
    try:
        since = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    try:
        return since.timestamp() >= int(last_modified(org))
    except (OverflowError, ValueError, OSError):
        return False
