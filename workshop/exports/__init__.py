"""Exports of a seminar's answers: CSV and XLSX (long and wide), and a full JSON export."""
