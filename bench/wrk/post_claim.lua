-- POST /claims with the bench token (in CW_TOKEN); each request creates one claim.
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("CW_TOKEN") or "")
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"statement": "Bench Corp will ship the bench product", "subject": "Bench Corp",
  "source": "Outlet 7", "claimed_on": "2026-11-20", "expected_within": "P3W",
  "tags": ["bench", "chips"], "first_seen_url": "https://outlet7.example/bench"}]]
