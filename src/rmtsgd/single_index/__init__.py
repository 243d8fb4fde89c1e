"""single_index"""
