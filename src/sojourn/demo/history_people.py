"""Names and review comments for the demo history (invented; any likeness is chance)."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_WOMEN = [
    "秀兰",
    "桂英",
    "秀英",
    "玉兰",
    "凤英",
    "淑珍",
    "秀珍",
    "玉珍",
    "桂兰",
    "淑芬",
    "丽华",
    "秀云",
    "玉梅",
    "素芳",
    "翠兰",
]
GIVEN_MEN = [
    "建国",
    "建华",
    "国强",
    "志强",
    "德明",
    "国庆",
    "建军",
    "振华",
    "永祥",
    "文明",
    "宝山",
    "长青",
    "庆丰",
    "树林",
    "福生",
]

# Two piles: what people write about a so-so base and about a very good one.
COMMENTS_ZH = (
    [
        "房间还可以，就是饭菜偏咸，希望能多做些清淡的。",
        "护士很负责，但活动少了点，下午有点无聊。",
        "离医院有点远，万一有事心里不踏实。",
        "总体不错，洗澡的地方防滑可以再改进。",
        "价格偏高，不过服务态度挺好。",
    ],
    [
        "冬天在这里住了两个月，关节不疼了，明年还来！",
        "每天早上量血压，护士特别耐心，孩子们也放心。",
        "饭菜合口味，还有低盐餐，老伴的血压稳多了。",
        "认识了好多东北老乡，天天一起散步唱歌，很开心。",
        "房间干净，扶手、呼叫铃都有，住得很安心。",
        "工作人员像家人一样照顾我们，推荐给朋友了。",
    ],
)
COMMENTS_EN = (
    ["Nice room, but the food was a little salty for us.", "Friendly staff; we wished there were more outings."],
    ["Warm, clean and caring. We will come back next winter.", "The nurses checked on us every morning. Excellent."],
)


def household_names(rng: random.Random, count: int) -> list[list[str]]:
    """``count`` households of one or two people; a couple shares no surname (as in China)."""
    households = []
    for _ in range(count):
        first = rng.choice(SURNAMES) + rng.choice(GIVEN_WOMEN)
        if rng.random() < 0.55:
            households.append([first, rng.choice(SURNAMES) + rng.choice(GIVEN_MEN)])
        else:
            households.append([first])
    return households
