from pipeline.privacy import mask_id_number, mask_id_numbers


def test_mask_keeps_four_and_four():
    assert mask_id_number("440304199001011234") == "4403**********1234"


def test_ids_in_text_are_masked_but_credit_codes_are_not():
    text = "张三 44030419900101123X 社保; 信用代码 913102307989362969 / 91310115MA1H8H1D7F"
    masked = mask_id_numbers(text)
    assert "44030419900101123X" not in masked and "4403**********123X" in masked
    assert "913102307989362969" in masked and "91310115MA1H8H1D7F" in masked
