"""How a mail address setting is read: as the email package reads a ``To`` header holding it.

The settings check (:func:`thaidigest.config.mail_address_problem`) and the mailer
(:func:`digest.mail.mailbox`) both read a setting here, so an address the check accepts
is the address the digest is mailed to and from, never another the header parser finds
in it (``Ops [Bangkok] <ops@example.org>`` reads as the mailbox ``Ops``, with no domain).
"""

from __future__ import annotations

from email.errors import MessageError
from email.headerregistry import Address
from email.policy import default as default_policy


def header_mailbox(value: str) -> Address | None:
    """The one mailbox a header holding ``value`` names, as the email package reads it;
    None when it reads none, several, or one inside a group (a name holding ``:``,
    ``Team: team@example.org;``), whose name the header would not carry, or fails on the
    value as the email package does on some unquoted names (``.NET Team <a@b.org>``)."""
    try:
        groups = default_policy.header_factory("To", value).groups
    except (AttributeError, IndexError, ValueError, MessageError):  # the parser's own faults
        return None  # on some names (".NET Team <team@example.org>", " :<a@b.org>")
    if len(groups) != 1 or groups[0].display_name is not None:
        return None
    addresses = groups[0].addresses
    return addresses[0] if len(addresses) == 1 else None
