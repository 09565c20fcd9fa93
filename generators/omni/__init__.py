"""Omni-Detective (arXiv 2510.12720): captions of audio and video clips, written by a detective
that asks observer tools about each clip. ``media.py`` reads the clips (a folder, a Hugging
Face audio dataset, or ``demo``) into the store by content hash; ``probe.py`` reads them with
ffprobe; ``demo.py`` makes the demo clips with a manifest of what each holds and when;
``observers/`` are the tools. ``requirements.py`` names what to install for any of them, and
``programs.py`` runs ffmpeg and the rest and says why one failed."""
