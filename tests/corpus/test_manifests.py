"""Every shared corpus file has a manifest, with the publisher's checksum and citation."""

import subprocess
import sys

import pytest

from analysis.corpus.manifest import Manifest, list_manifests, load_manifest, sha256_of


def _shared_sums(data_home):
    sums = {}
    for line in (data_home / "SHA256SUMS").read_text().splitlines():
        digest, path = line.split(maxsplit=1)
        sums[path.removeprefix("./")] = digest
    return sums


def test_every_shared_file_has_a_manifest_with_its_sha256(data_home):
    by_file = {m.file: m for m in list_manifests()}
    shared = _shared_sums(data_home)
    assert set(shared) == set(by_file)
    for file, digest in shared.items():
        assert by_file[file].sha256 == digest, file


def test_manifests_carry_licence_citation_and_field_mapping():
    for manifest in list_manifests():
        assert manifest.licence and manifest.licence != "unknown", manifest.name
        assert manifest.citation, manifest.name
        assert manifest.expected_documents, manifest.name
        assert manifest.format != "csv" or "text" in manifest.fields, manifest.name


def test_files_match_their_checksums(data_home):
    for manifest in list_manifests():
        assert sha256_of(manifest.path(data_home)) == manifest.sha256, manifest.name


def test_verify_command_reports_every_file(data_home):
    result = subprocess.run([sys.executable, "-m", "analysis", "corpus", "verify"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(list_manifests())} of {len(list_manifests())} files verified" in result.stdout


def test_missing_file_error_names_file_checksum_and_remedy(tmp_path):
    manifest = load_manifest("bbc")
    with pytest.raises(FileNotFoundError) as caught:
        manifest.locate(tmp_path)
    message = str(caught.value)
    assert str(tmp_path / manifest.file) in message
    assert manifest.sha256 in message
    assert "ANALYSIS_DATA_HOME" in message and "corpus fetch bbc" in message


def test_unknown_format_is_refused_with_the_manifest_named(tmp_path):
    path = tmp_path / "odd.toml"
    path.write_text('name = "odd"\nfile = "x.bin"\nformat = "excel"\n')
    with pytest.raises(ValueError, match="odd.toml: unknown format 'excel'"):
        Manifest.from_toml(path)
