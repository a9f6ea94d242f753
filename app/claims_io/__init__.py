"""Claims in and out of Claimwatch: CSV for spreadsheets, JSON Lines for lossless backups.

CSV rows go through the claim domain (the same rules and events as the web and the API); a
JSON Lines file restores history as it was, validated record by record and bulk-inserted.
"""
