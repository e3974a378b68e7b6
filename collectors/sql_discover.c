/* Not written yet: being developed (see the open issue). */
