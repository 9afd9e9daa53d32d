import pytest

from thaidigest.config import DEFAULTS, ConfigError, load_config, merge


def test_user_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "thaidigest.toml"
    path.write_text('[sites.mdes]\ndelay = 2.5\n[email]\nrecipients = ["a@example.org"]\n')
    config = load_config(path)
    assert config["sites"]["mdes"]["delay"] == 2.5
    assert config["sites"]["mdes"]["concurrency"] == DEFAULTS["sites"]["mdes"]["concurrency"]
    assert config["email"]["recipients"] == ["a@example.org"]
    assert DEFAULTS["sites"]["mdes"]["delay"] == 1.0  # defaults are not changed in place


def test_merge_replaces_lists_and_scalars():
    assert merge({"a": {"b": [1, 2], "c": 1}}, {"a": {"b": [3]}}) == {"a": {"b": [3], "c": 1}}


def test_broken_or_missing_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[crawl\n")
    with pytest.raises(ConfigError, match=r"broken\.toml"):
        load_config(broken)
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "missing.toml")
