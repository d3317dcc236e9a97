print("crowdspeed-agent")
