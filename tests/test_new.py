"""`new`: each answer checked as it is given, fields offered by name or number,
Vietnamese on every path (an empty answer, Ctrl+C, end of input)."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import as_from_a_terminal

from thutuc.cli import main

REPO = Path(__file__).resolve().parent.parent


def new(root: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(main, ["new", "--project", str(root), *args], input=input)


def two_fields(make_site) -> Path:
    return make_site({"procedures/dat-dai/_index.md": "---\ntitle: Đất đai\n---\n"})


def test_fields_are_offered_by_number_folder_and_title(make_site) -> None:
    root = two_fields(make_site)
    result = new(root, input="2\n1.012812\nHòa giải tranh chấp đất đai\n")
    assert result.exit_code == 0, result.output
    assert "  1. Đất đai (dat-dai)\n  2. Hộ tịch (ho-tich)" in result.output
    assert (root / "procedures/ho-tich/hoa-giai-tranh-chap-dat-dai.md").is_file()
    by_title = new(root, "--field", "đất đai", "--code", "1.013967", "--title", "Giải quyết")
    assert by_title.exit_code == 0, by_title.output
    assert (root / "procedures/dat-dai/giai-quyet.md").is_file()


def test_a_mistyped_field_is_refused_with_a_guess_not_created(make_site) -> None:
    root = two_fields(make_site)
    typed = new(root, "--field", "dat-dia", "--code", "1.012812", "--title", "Hòa giải")
    assert typed.exit_code == 1
    assert "Chưa có lĩnh vực 'dat-dia'. Có phải ý bạn là dat-dai (Đất đai)?" in typed.output
    assert not (root / "procedures/dat-dia").exists()
    asked = new(root, input="dat-dia\ndat-dai\n1.012812\nHòa giải\n")
    assert asked.exit_code == 0, asked.output
    assert "Có phải ý bạn là dat-dai (Đất đai)? Gõ lại" in asked.output
    assert (root / "procedures/dat-dai/hoa-giai.md").is_file()
    assert not (root / "procedures/dat-dia").exists()


def test_a_new_field_only_when_asked_for(make_site) -> None:
    root = make_site()
    result = new(root, input="Xây dựng\nc\n1.009994\nCấp giấy phép xây dựng\n")
    assert result.exit_code == 0, result.output
    assert "Chưa có lĩnh vực 'Xây dựng'. Tạo lĩnh vực mới? (c: có, k: không)" in result.output
    assert (root / "procedures/xay-dung/_index.md").read_text() == '---\ntitle: "Xây dựng"\n---\n'
    folder = new(root, input="thuy-loi\nc\nThủy lợi\n1.003456\nCấp phép\n")
    assert folder.exit_code == 0, folder.output
    assert 'title: "Thủy lợi"' in (root / "procedures/thuy-loi/_index.md").read_text()


def test_an_existing_code_is_refused_at_once(make_site) -> None:
    root = make_site()
    result = new(root, input="ho-tich\n1.001193\n")
    assert "Mã 1.001193 đã có trong tệp procedures/ho-tich/khai-sinh.md" in result.output
    assert "Tên thủ tục" not in result.output  # refused before the next question
    assert result.exit_code == 1 and "Đã dừng. Chưa tạo tệp nào." in result.output
    bad = new(root, input="ho-tich\n12345\n1.000894\nĐăng ký kết hôn\n")
    assert bad.exit_code == 0, bad.output
    assert "'12345' không phải mã thủ tục" in bad.output


def test_empty_answers_and_end_of_input_speak_vietnamese(make_site) -> None:
    root = make_site()
    result = new(root, input="\n\n")
    assert result.exit_code == 1
    assert "Cần trả lời câu này (Ctrl+C để dừng)." in result.output
    assert "Đã dừng. Chưa tạo tệp nào." in result.output
    assert "Aborted" not in result.output and "Error" not in result.output


def test_ctrl_c_and_end_of_input_in_a_real_process(make_site) -> None:
    """Ctrl+C (SIGINT while a question waits) and a closed input (Ctrl+D): no
    English "Aborted!", no traceback."""
    root = make_site()
    command = [sys.executable, str(REPO / "build.py"), "new", "--project", str(root)]
    done = subprocess.run(command, input="", capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "Đã dừng. Chưa tạo tệp nào." in done.stderr
    assert "Aborted" not in done.stderr + done.stdout and "Traceback" not in done.stderr

    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=as_from_a_terminal,
    )
    assert process.stderr is not None
    asked = ""
    while "Lĩnh vực (gõ số" not in asked:  # the question is on screen: now press Ctrl+C
        asked += process.stderr.read(1)
        assert asked or process.poll() is None
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)  # its input still open: only the Ctrl+C can end it
    out, err = process.communicate()
    assert process.returncode == 1
    assert "Đã dừng. Chưa tạo tệp nào." in err
    assert "Aborted" not in asked + err + out and "Traceback" not in err


def test_a_title_with_a_hidden_character_is_asked_again(make_site) -> None:
    """An ESC or a right-to-left override pasted into the title: `new` refuses it at
    once (it wrote a file that check then refused)."""
    root = two_fields(make_site)
    result = new(root, input="2\n1.012812\nHòa giải\x1b tranh chấp\nHòa giải tranh chấp\n")
    assert result.exit_code == 0, result.output
    assert "ký tự ẩn U+001B (ESC)" in result.output
    made = root / "procedures/ho-tich/hoa-giai-tranh-chap.md"
    assert "\x1b" not in made.read_text(encoding="utf-8")
    one_line = new(root, "--field", "ho-tich", "--code", "1.013967", "--title", "Giải\u202equyết")
    assert one_line.exit_code == 1 and "ký tự ẩn" in one_line.output
