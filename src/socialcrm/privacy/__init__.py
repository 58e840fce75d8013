"""Data-protection features: erasure, objection, suppression, audit (GDPR arts. 16, 17, 21).

Every erasure — ``rm``, ``privacy erase``/``object``, a merge's loser, a
deleted pipeline, an expiry purge — goes through :func:`erasure.wipe`, so a
guarantee added there holds for every command and every store.
"""
