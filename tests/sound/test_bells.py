def test_every_sound_a_script_may_name_is_synthesised() -> None:
    # The script format and the synthesiser keep their own lists (sound does not import
    # script); a bell added to one and not the other would fail a live session quietly.
    from circlekeeper.script.model import BUILTIN_SOUNDS
    from circlekeeper.sound.bells import BELLS

    assert set(BELLS) == set(BUILTIN_SOUNDS)
