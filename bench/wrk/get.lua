-- GET with the bench token: wrk -s get.lua URL (token in CW_TOKEN)
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("CW_TOKEN") or "")
