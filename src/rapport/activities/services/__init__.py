"""Writes of the activities app: logged activities (activities.py), tasks (tasks.py)."""
