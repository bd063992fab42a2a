"""Entry point for spark-submit, which runs a Python file rather than a console script:

    spark-submit --master yarn $(python3 -c 'import claimledger.spark.main as m; print(m.__file__)') \
        --input '/shared/crawl/*.warc.gz' --output /shared/out

takes the same options as `claimledger spark run`; the master comes from spark-submit. Every
node needs claimledger installed and the inputs on a filesystem all nodes mount.
"""

from __future__ import annotations

import sys

from claimledger.cli import main

if __name__ == "__main__":
    sys.argv = ["claimledger", "spark", "run", *sys.argv[1:]]
    main()
