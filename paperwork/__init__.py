"""The portal's paperwork, shared by every app: stored files (uploads judged by their content,
kept outside the web root, served after the caller's policy check), the ledger of reminders
sent, and the spreadsheet toolkit of the Excel imports and exports.

It sits at the bottom of the house: it imports no other portal app; ``accounts``, ``registry``,
``inspections``, ``training`` and ``dashboard`` import it.
"""
