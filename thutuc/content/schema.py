"""Every key an editor may write, declared once, as data.

validate.py converts by `kind`; `new` scaffolds from this table; the docs test
fails when a key here is missing from docs/ (the Datasette SETTINGS habit).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    name: str
    # text, int, distance, bool, date, url, site-url, phone, code, text-list, slug-list,
    # methods, forms, contacts, audio, languages
    kind: str
    help_vi: str
    help_en: str
    required: bool = False
    example: str = ""
    # For an int: the values that make sense. A number far outside them is a
    # typing mistake, and 10**100 months would overflow the date arithmetic.
    minimum: int | None = None
    maximum: int | None = None
    # What a poster prints must fit its paper: the most characters of a text, the
    # most numbers of a phone key, and why, in plain Vietnamese (the hint `check`
    # gives; docs/content-format.md and docs/dinh-dang-noi-dung.md list them).
    max_length: int | None = None
    max_items: int | None = None
    limit_vi: str = ""


# Limits of the texts posters print in large type or on every poster, each tested
# to lay out at its limit (tests/test_limits.py). Real values are far under them: a
# commune's name about 40 characters, an address about 100; in the national sample
# of 307 commune-level procedures a procedure's name is 81 characters at the median
# and 919 at the longest. A field's name needs none: the board and the field poster
# set it smaller, then cut it with "…" (print/board.py, print/field.py).
NAME_LIMIT = 250
ADDRESS_LIMIT = 400
HOURS_LIMIT = 300
HOTLINE_NUMBERS = 5
HOTLINE_LIMIT = 120  # five numbers with their spaces and dots
TITLE_LIMIT = 1000
LANGUAGE_NAME_LIMIT = 60


SITE_KEYS: tuple[Key, ...] = (
    Key(
        "name",
        "text",
        "Tên xã/phường",
        "Commune name",
        True,
        "Xã Tam Thanh",
        max_length=NAME_LIMIT,
        limit_vi="tên xã in ở đầu bảng mã QR và cuối mọi áp phích, phải vừa khổ giấy",
    ),
    Key(
        "base_url",
        "site-url",
        "Địa chỉ trang web (mọi mã QR dựa vào đây)",
        "Absolute http(s) URL the site lives at; every QR code is built from it",
        True,
        "https://tamthanh.example.vn/",
    ),
    Key(
        "address",
        "text",
        "Địa chỉ Bộ phận Một cửa",
        "Address of the one-stop office",
        max_length=ADDRESS_LIMIT,
        limit_vi="địa chỉ in ở chân bảng mã QR, cạnh mã lưu số điện thoại, phải vừa một tờ",
    ),
    Key(
        "opening_hours",
        "text",
        "Giờ làm việc",
        "Opening hours",
        max_length=HOURS_LIMIT,
        limit_vi="giờ làm việc in ở chân bảng mã QR, phải vừa một tờ",
    ),
    Key(
        "hotline",
        "phone",
        "Số điện thoại đường dây nóng (nhiều số thì cách nhau bằng dấu phẩy)",
        "Hotline phone number(s), separated by commas",
        max_length=HOTLINE_LIMIT,
        max_items=HOTLINE_NUMBERS,
        limit_vi="đường dây nóng in ở chân mọi áp phích, thẻ và tờ rơi; người dân chỉ cần "
        "một hai số để gọi",
    ),
    Key("zalo_url", "zalo-url", "Đường dẫn Zalo OA của xã", "Link to the commune's Zalo account"),
    Key("contacts", "contacts", "Danh bạ: name, role, phone", "Contacts: name, role, phone"),
    Key(
        "stale_after_months",
        "int",
        "Cảnh báo khi thông tin chưa kiểm tra lại quá số tháng này (mặc định 12)",
        "Warn when a procedure's facts were checked longer ago than this (default 12)",
        minimum=0,
        maximum=1200,  # a hundred years; 0 turns the notice off
    ),
    Key(
        "exclude",
        "text-list",
        "Mã thủ tục của danh mục chung mà xã không giải quyết (chế độ tỉnh)",
        "Codes of catalogue procedures this commune does not handle (province mode)",
    ),
    Key(
        "board_distance_m",
        "distance",
        "Bảng mã QR các lĩnh vực được đọc từ xa bao nhiêu mét (mặc định 1.5)",
        "Reading distance of the field board in metres (default 1.5); sizes its codes and type",
        example="1.5",
    ),
    Key(
        "print_shop",
        "bool",
        "In ở hàng in: thêm lề xén (bleed) và dấu cắt vào mọi áp phích (true/false)",
        "Add bleed, a BleedBox and crop marks to every poster PDF for a print shop",
        example="true",
    ),
    Key(
        "languages",
        "languages",
        "Các tiếng khác của trang: code (mã BCP 47, ví dụ en, km, hnj) và name (tên tiếng đó, "
        "viết bằng tiếng đó); site: tên xã, địa chỉ, giờ làm việc bằng tiếng đó",
        "Languages besides Vietnamese: code (a registered BCP 47 tag: en, km, hnj...) and name "
        "(in that language); site: the commune's texts in that language",
    ),
)

# The keys of one entry of `languages:` (content/languages.py reads them).
LANGUAGE_KEYS: tuple[Key, ...] = (
    Key(
        "code",
        "text",
        "Mã BCP 47 của tiếng đó, ví dụ en, km, hnj",
        "A registered BCP 47 tag",
        True,
        "en",
    ),
    Key(
        "name",
        "text",
        "Tên tiếng đó, viết bằng tiếng đó",
        "The language's name, in it",
        True,
        "English",
        max_length=LANGUAGE_NAME_LIMIT,
        limit_vi="tên tiếng nằm trên nút chọn tiếng của trang và trong ghi chú của thẻ",
    ),
    Key(
        "site",
        "text",
        "Tên xã, địa chỉ, giờ làm việc, danh bạ bằng tiếng đó",
        "The commune's name, address, opening hours and contacts in that language",
    ),
    Key(
        "posters",
        "language-posters",
        "In bảng mã QR các lĩnh vực và thẻ thủ tục bằng tiếng này: true (chỉ tiếng này), "
        "bilingual (tiếng Việt trên, tiếng này dưới); bỏ trống: không in (mặc định)",
        "Print the field board and procedure cards in this language: true (this language "
        "alone) or bilingual (Vietnamese first, this language under it); default: none",
        example="true",
    ),
)

FIELD_KEYS: tuple[Key, ...] = (
    Key("title", "text", "Tên lĩnh vực", "Field name", True, "Hộ tịch"),
    Key(
        "order",
        "int",
        "Thứ tự hiển thị (số nhỏ đứng trước)",
        "Display order (lower first)",
        minimum=-1_000_000,
        maximum=1_000_000,
    ),
    Key(
        "aliases",
        "slug-list",
        "Tên thư mục cũ, để mã QR đã in vẫn dùng được",
        "Old folder names, so printed QR codes keep working",
    ),
)

PROCEDURE_KEYS: tuple[Key, ...] = (
    Key(
        "code",
        "code",
        "Mã thủ tục quốc gia, ví dụ 1.001193",
        "National procedure code, e.g. 1.001193 or 2.000884.000.00.00.H55",
        True,
        "1.001193",
    ),
    Key(
        "title",
        "text",
        "Tên thủ tục",
        "Procedure name",
        True,
        "Đăng ký khai sinh",
        max_length=TITLE_LIMIT,
        limit_vi="tờ rơi và nhãn dán in đủ tên thủ tục, phải vừa khổ giấy; tên thủ tục "
        "thật thường dưới 300 ký tự",
    ),
    Key("summary", "text", "Một câu giới thiệu ngắn", "One short sentence about it"),
    Key("documents", "text-list", "Giấy tờ cần mang", "Documents to bring"),
    Key("processing_time", "text", "Thời gian giải quyết", "Processing time"),
    Key("fee", "text", "Phí, lệ phí (ghi đúng như văn bản)", "Fee, written as the law says"),
    Key(
        "where", "text", "Nơi nộp hồ sơ (nếu khác địa chỉ của xã)", "Where to go, if not the office"
    ),
    Key(
        "methods",
        "methods",
        "Cách nộp: truc-tiep, truc-tuyen, buu-chinh (có thể ghi thời gian, phí riêng)",
        "Ways to submit: truc-tiep, truc-tuyen, buu-chinh (each may have its own time and fee)",
    ),
    Key("online_url", "url", "Trang nộp trực tuyến trên Cổng dịch vụ công", "National portal page"),
    Key("forms", "forms", "Mẫu đơn: title và file", "Forms to download: title and file"),
    Key("legal_basis", "text-list", "Căn cứ pháp lý", "Legal basis"),
    Key("agency", "text", "Cơ quan thực hiện", "Agency that handles it"),
    Key("result", "text", "Kết quả nhận được", "What the resident receives"),
    Key("applicants", "text", "Ai được làm thủ tục này", "Who may apply"),
    Key("conditions", "text", "Yêu cầu, điều kiện", "Conditions"),
    Key("decision", "text", "Quyết định công bố thủ tục", "Decision that published it"),
    Key("keywords", "text-list", "Từ khóa tìm kiếm thêm", "Extra search words"),
    Key(
        "updated",
        "date",
        "Ngày kiểm tra thông tin gần nhất (YYYY-MM-DD)",
        "Date facts were checked",
    ),
    Key(
        "replaced_by",
        "code",
        "Mã thủ tục mới thay thế thủ tục này",
        "Code of the procedure that replaced this one",
    ),
    Key(
        "retired", "date", "Ngày thủ tục bị bãi bỏ (YYYY-MM-DD)", "Date the procedure was abolished"
    ),
    Key(
        "audio",
        "audio",
        "Bản ghi âm các điều chính (tệp .mp3, .m4a hoặc .ogg đặt cạnh tệp này)",
        "A recording of the key facts (.mp3, .m4a or .ogg beside this file)",
        example="khai-sinh.mp3",
    ),
    Key(
        "local",
        "text-list",
        "Điều trang cố ý viết khác dữ liệu quốc gia (lệnh compare không báo nữa), ví dụ [fee]",
        "What the page states differently from the national record on purpose (compare "
        "stops reporting it), e.g. [fee]",
    ),
)

# What `local:` may name: the parts of a page that `compare` checks against the
# national record, with the words the report uses for them.
LOCAL_TOPICS: dict[str, str] = {
    "title": "tên thủ tục",
    "methods": "cách nộp",
    "processing_time": "thời gian giải quyết",
    "fee": "phí, lệ phí",
    "documents": "giấy tờ",
    "conditions": "điều kiện",
    "deadlines": "thời hạn người dân phải làm",
    "result": "kết quả",
    "legal_basis": "căn cứ pháp lý",
    "decision": "quyết định công bố",
}


def key_names(keys: tuple[Key, ...]) -> list[str]:
    return [key.name for key in keys]
