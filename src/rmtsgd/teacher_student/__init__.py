"""teacher_student"""
