/*
 * sipscope — entry point: options, then one run.
 */
#include <locale.h>

#include "app/options.h"
#include "app/run.h"

int main(int argc, char **argv)
{
	options o;
	int status = 0;
	setlocale(LC_ALL, "");
	if (!options_parse(argc, argv, &o, &status))
		return status;
	status = run_offline(&o);
	options_clear(&o);
	return status;
}
