/* osbench-exit: the program osbench's spawn+exit+wait starts; it exits at
 * once with status 0 (docs/benchmarks.md, "OS benchmarks"). Calls: none. */
int main(void)
{
    return 0;
}
