"""No credentials or private paths in a record, its card or the text files it ships."""

from __future__ import annotations

from pathlib import Path

import pytest
from card_helpers import MODEL, model_catalogue
from conftest import MODEL_CARD, findings_for

from catalogue.check.sensitive import scan_text

TOKEN = "hf_" + "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345"


def test_credentials_in_the_card_are_errors_with_their_line(tmp_path: Path) -> None:
    card = MODEL_CARD.replace("python inference.py sample.npy",
                              f"HF_TOKEN={TOKEN} python inference.py sample.npy")
    (finding,) = findings_for(model_catalogue(tmp_path, card))
    assert finding.severity == "error" and finding.rule == "credentials"
    assert finding.location.path == f"{MODEL}/README.md"
    assert finding.location.line == card.splitlines().index(
        f"HF_TOKEN={TOKEN} python inference.py sample.npy") + 1
    assert "a Hugging Face token" in finding.message


def test_credentials_and_private_paths_in_records(tmp_path: Path) -> None:
    root = model_catalogue(tmp_path, limitations=(
        "Weights were read from /home/alice/models/x.pt and C:\\Users\\bob\\data.csv "
        "with access key AKIAIOSFODNN7EXAMPLE."))
    findings = sorted(findings_for(root), key=lambda f: (f.rule, f.message))
    assert [(f.rule, f.severity) for f in findings] == [
        ("credentials", "error"), ("private-path", "warning"), ("private-path", "warning")]
    assert all(f.location.path == f"{MODEL}/record.yaml" and f.location.line > 1
               for f in findings)
    assert "an AWS access key id" in findings[0].message
    assert "/home/alice" in findings[1].message + findings[2].message


@pytest.mark.parametrize("text", [
    "token: <your token>", "password = ${DB_PASSWORD}", "api_key: os.environ['KEY']",
    "export HF_TOKEN=$HF_TOKEN", "See https://example.org/home/page", "/home/ is a folder",
    "sha256: " + "ab" * 32, "tokenizer: bert-base-uncased-whole-word",
])
def test_placeholders_are_not_credentials(text: str) -> None:
    assert list(scan_text(text)) == []


@pytest.mark.parametrize("text", [
    "-----BEGIN RSA PRIVATE KEY-----", "ghp_" + "a1" * 18, "password: Sup3rSecretValue99",
    "https://user:hunter2pass@example.org/x", "AIza" + "B" * 35,
])
def test_credentials_are_found(text: str) -> None:
    assert [severity for *_, severity, _ in scan_text(text)] == ["error"]
