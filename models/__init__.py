"""Shared vocabulary: settings, errors and result types used by intake/ and worker/."""
