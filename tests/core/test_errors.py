"""One exception tree: every error class nurture defines is a NurtureError, and the channel and the
intake raise the kinds a caller acts on (permanent, retry later, the input's fault, the operator's)."""

import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import nurture
from nurture.config import get_settings
from nurture.delivery.channels import ChannelError, OutgoingMessage, clear_channel_cache, get_channel
from nurture.errors import InputError, NurtureError, OperatorError, PermanentError, TransientError
from nurture.intake.csv_import import CsvFileError, read_rows
from nurture.intake.schema import IntakeError, parse_lead
from nurture.plans.sequences import SequenceError


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(nurture.__path__, "nurture."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def test_every_exception_class_in_nurture_is_a_nurture_error() -> None:
    classes = _exception_classes()
    offenders = [f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, NurtureError)]

    assert len(classes) >= 15  # the walk found the package's errors, not nothing
    assert offenders == []


def test_every_nurture_error_is_of_one_of_the_four_kinds() -> None:
    kinds = (PermanentError, TransientError, InputError, OperatorError)
    loose = [f"{c.__module__}.{c.__qualname__}" for c in _exception_classes()
             if c not in (NurtureError, ChannelError, *kinds) and not issubclass(c, kinds)]
    assert loose == []


def test_errors_caught_as_value_errors_still_are() -> None:
    assert issubclass(SequenceError, ValueError) and issubclass(SequenceError, OperatorError)


def sms(to: str = "+13055550142") -> OutgoingMessage:
    return OutgoingMessage(message_id=7, lead_id=3, channel="sms", to=to, subject=None, text="Hi Maria")


def send_error(channel: Any, msg: OutgoingMessage) -> ChannelError:
    with pytest.raises(ChannelError) as info:
        channel.send(msg)
    return info.value


def test_the_sms_channel_raises_permanent_transient_and_operator_errors(providers) -> None:
    clear_channel_cache()
    settings = get_settings()
    channel = get_channel("sms", settings)

    invalid = send_error(channel, sms(to="+1555"))
    providers.fail_next(1, status=503)
    outage = send_error(channel, sms())
    providers.fail_next(1, status=401, code=20003)
    refused = send_error(channel, sms())

    assert isinstance(invalid, PermanentError) and invalid.permanent and invalid.code == "21211"
    assert isinstance(outage, TransientError) and not outage.permanent
    assert isinstance(refused, OperatorError) and refused.auth
    assert not isinstance(invalid, TransientError) and not isinstance(outage, PermanentError)


def test_intake_raises_the_inputs_fault() -> None:
    with pytest.raises(InputError) as bad_lead:
        parse_lead({"first_name": "Maria", "email": "not an address"})
    with pytest.raises(InputError) as bad_file:
        read_rows("")

    assert isinstance(bad_lead.value, IntakeError) and "email" in str(bad_lead.value)
    assert isinstance(bad_file.value, CsvFileError)
