"""The OpenAPI documents say what the services accept, and the deployment's phone region
comes from configuration (issue 10: OpenAPI drift, phone numbers)."""
from __future__ import annotations

from common.config import etcd_client, read_namespace
from tests.api.conftest import openapi


def schema_of(document, path, method="post"):
    ref = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_language_is_an_enum_of_the_configured_languages(http):
    # before: a plain string, though only configured languages are accepted
    languages = read_namespace(etcd_client(), "common")["languages"]
    personal_data = openapi(http, "personal-data")
    assert schema_of(personal_data, "/api/personal-data/user")["properties"]["language"]["enum"] == languages
    signup = openapi(http, "signup")
    assert schema_of(signup, "/api/signup/register")["properties"]["language"]["enum"] == languages


def test_a_body_is_required_only_where_a_field_is(http):
    # before: logout and terminate marked their optional (empty) body as required
    authn, security, signup = openapi(http, "authn"), openapi(http, "security"), openapi(http, "signup")
    assert authn["paths"]["/api/authn/logout"]["post"]["requestBody"]["required"] is False
    assert security["paths"]["/api/security/terminate"]["post"]["requestBody"]["required"] is False
    assert signup["paths"]["/api/signup/register"]["post"]["requestBody"]["required"] is True


def test_names_codes_and_addresses_are_described(http):
    signup = openapi(http, "signup")
    register = schema_of(signup, "/api/signup/register")["properties"]
    assert register["given_name"]["maxLength"] == 100 and register["email"]["format"] == "email"
    assert schema_of(signup, "/api/signup/verify")["properties"]["code"]["pattern"] == "^[0-9]{4,10}$"


def test_jsconfig_tells_the_spa_the_configured_phone_region(http):
    # before: no phone_default_region; the SPA guessed the region from the browser's locale
    r = http.get("/api/jsconfig/config")
    assert r.status == 200
    assert r.payload["phone_default_region"] == read_namespace(etcd_client(), "common")["phone_default_region"]


def test_a_number_without_a_region_is_read_in_the_configured_one(user_http):
    assert read_namespace(etcd_client(), "common")["phone_default_region"] == "SE"
    r = user_http.post("/api/phones/new", {"number": "070-123 45 67"})
    assert r.status in (200, 202), r
    assert [p["number"] for p in r.payload["phones"]] == ["+46701234567"]
    r = user_http.post("/api/phones/new", {"number": "(202) 555-0143", "default_region": "US"})
    assert r.status in (200, 202), r
    assert "+12025550143" in [p["number"] for p in r.payload["phones"]]
