/* true: exit with status 0. Calls: none. */
int main(void)
{
    return 0;
}
