from io import StringIO

from django.core.management.base import OutputWrapper

from ansinh.core.progress import ProgressLine


def test_line_is_redrawn_in_place_and_ended():
    stream = StringIO()
    with ProgressLine(stream, interval=0) as line:
        line(12345, total=200364)
        line(200364)
    output = stream.getvalue()
    frames = output.split("\r")[1:]
    assert frames[0].startswith("  12.345 / 200.364 (6%) · ")
    assert frames[0].rstrip().endswith(" s")
    assert frames[-1].startswith("  200.364 / 200.364 (100%) · ")
    assert output.endswith("\n")
    assert output.count("\n") == 1


def test_line_is_throttled():
    stream = StringIO()
    line = ProgressLine(stream, interval=3600)
    for done in range(1, 1000):
        line(done, total=1000)
    # First draw, then nothing until the last item.
    assert stream.getvalue().count("\r") == 1
    line(1000)
    assert stream.getvalue().count("\r") == 2


def test_line_without_total_and_with_label():
    stream = StringIO()
    line = ProgressLine(stream, label="Nhập", interval=0)
    line(7)
    line.finish()
    assert stream.getvalue().startswith("\r  Nhập: 7 · ")


def test_line_writes_through_a_command_output_wrapper():
    buffer = StringIO()
    line = ProgressLine(OutputWrapper(buffer), interval=0)
    line(1, total=2)
    line.finish()
    assert buffer.getvalue().count("\n") == 1
