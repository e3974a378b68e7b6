int main(void) { return 0; } /* not written yet */
