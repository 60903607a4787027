"""Booking references: short codes a senior can read out on the phone (SJ-7K3P9Q).

They are derived from the booking id inside the INSERT (the SQL function
``sojourn_booking_reference``, see its migration): unique without retries, and
consecutive bookings get unrelated-looking codes. ``reference_for`` is the same
mapping in Python, for documentation and tests.
"""

# No 0/O, 1/I/L or 2/Z: nothing that sounds or looks like something else.
ALPHABET = "3456789ABCDEFGHJKMNPQRSTUVWXY"
LENGTH = 6
_SPACE = len(ALPHABET) ** LENGTH  # 594,823,321 references
_MULTIPLIER = 387_420_489  # 3**18: prime to 29, so id -> code is a bijection
_OFFSET = 20_261_123


def reference_for(booking_id: int) -> str:
    number = (booking_id * _MULTIPLIER + _OFFSET) % _SPACE
    letters = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[digit])
    return "SJ-" + "".join(reversed(letters))
