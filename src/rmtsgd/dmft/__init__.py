"""dmft"""
