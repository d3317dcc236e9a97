print("crowdspeed")
