"""phase_diagram"""
