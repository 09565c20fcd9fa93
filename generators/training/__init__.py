"""Training on catalog versions: which trainer takes which view, TRL runs, launch scripts.

``trainers`` names the trainers ``datagen train --trainer`` knows and plans a run (view,
model, folders, options) before any work; ``trl_runs`` builds and runs a TRL trainer on an
export on one device; ``launch_scripts`` writes the launch script and config of the trainers
datagen does not run itself (verl, OpenRLHF, LLaMA-Factory). Plain functions: the flow that
orchestrates them is ``flows/train.py``.
"""
