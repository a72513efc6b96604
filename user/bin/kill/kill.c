/* kill: the kill command (../common/killcmd.c), which the shell also has
 * as a builtin. */
#include "../common/killcmd.h"

int main(int argc, char **argv)
{
    return kill_command(argc, argv);
}
