"""What a workspace holds and how it is read: items, people, settings, dates, queries, recurrence rules.

Pure values and functions; nothing here touches a file.
"""
