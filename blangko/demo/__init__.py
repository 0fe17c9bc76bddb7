"""Demo history (SPEC §6): a believable national history of KTP-el blanks, simulated in
memory (``demand``, ``supply``) and written through the ledger's posting rules
(``writer``); ``calibration`` holds every number and where it comes from."""

from blangko.demo.run import DEFAULT_SEED, DEFAULT_START, DemoResult, run_demo

__all__ = ["DEFAULT_SEED", "DEFAULT_START", "DemoResult", "run_demo"]
