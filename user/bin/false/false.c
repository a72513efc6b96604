/* false: exit with status 1. Calls: none. */
int main(void)
{
    return 1;
}
